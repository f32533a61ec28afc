package tensorboard

import (
	"encoding/binary"
	"hash/crc32"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's checksum: CRC-32C, rotated right by 15 bits plus
// a constant (so that a CRC of data holding CRCs is not trivially zero).
func maskedCRC(data []byte) uint32 {
	c := crc32.Checksum(data, castagnoli)
	return (c>>15 | c<<17) + 0xa282ead8
}

// appendRecord frames data as one TFRecord: uint64 length, masked CRC of
// the length's 8 bytes, the data, masked CRC of the data (all little-endian).
func appendRecord(b, data []byte) []byte {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(data)))
	b = append(b, n[:]...)
	b = binary.LittleEndian.AppendUint32(b, maskedCRC(n[:]))
	b = append(b, data...)
	return binary.LittleEndian.AppendUint32(b, maskedCRC(data))
}

// Protocol buffer helpers: each appends one field.

func appendMessage(b []byte, num protowire.Number, msg []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, msg)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendDouble(b []byte, num protowire.Number, v float64) []byte {
	b = protowire.AppendTag(b, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(v))
}

func appendFloat(b []byte, num protowire.Number, v float32) []byte {
	b = protowire.AppendTag(b, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, math.Float32bits(v))
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

// event is tensorboard.Event: wall_time = 1 (double), step = 2 (int64),
// file_version = 3 (string), summary = 5 (Summary).
func event(wallTime float64, step int64, fileVersion string, summary []byte) []byte {
	b := appendDouble(nil, 1, wallTime)
	if step != 0 {
		b = appendVarint(b, 2, uint64(step))
	}
	if fileVersion != "" {
		b = appendString(b, 3, fileVersion)
	}
	if summary != nil {
		b = appendMessage(b, 5, summary)
	}
	return b
}

// summary is tensorboard.Summary: repeated Value value = 1.
func summary(values ...[]byte) []byte {
	var b []byte
	for _, v := range values {
		b = appendMessage(b, 1, v)
	}
	return b
}

// scalarValue is Summary.Value with tag = 1 and simple_value = 2 (float):
// what EventAccumulator.Scalars reads.
func scalarValue(tag string, v float64) []byte {
	return appendFloat(appendString(nil, 1, tag), 2, float32(v))
}

// nullTensor is TensorProto{dtype: DT_FLOAT (1) = field 1, tensor_shape =
// field 2: TensorShapeProto{dim = field 2: [Dim{size: 0}]}}: the empty
// tensor the HParams plugin's own summaries carry
// (tensorboard/plugins/hparams/metadata.py, NULL_TENSOR).
var nullTensor = []byte{0x08, 0x01, 0x12, 0x02, 0x12, 0x00}

// pluginValue is Summary.Value{tag = 1, metadata = 9: SummaryMetadata{
// plugin_data = 1: PluginData{plugin_name = 1, content = 2}}, tensor = 8}.
func pluginValue(tag, plugin string, content []byte) []byte {
	pluginData := appendMessage(appendString(nil, 1, plugin), 2, content)
	metadata := appendMessage(nil, 1, pluginData)
	b := appendString(nil, 1, tag)
	b = appendMessage(b, 9, metadata)
	return appendMessage(b, 8, nullTensor)
}
