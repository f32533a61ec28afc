// Package tensorboard writes stored runs as TensorBoard event files, so
// that "tensorboard --logdir DIR" shows each run's curves (train and
// validation loss and accuracy, learning rate), the HParams table of their
// settings and its parallel-coordinates view.
//
// # Why hand-written
//
// No Go writer of event files is served by the Go module proxy for this
// module's dependencies (TensorFlow's Go bindings are not a module one can
// require, and GoMLX v0.26.0 writes none), and the format is small: an
// event file is a sequence of TFRecords (a little-endian length, its masked
// CRC-32C, the bytes, their masked CRC-32C; hash/crc32's Castagnoli table)
// whose bytes are tensorboard.Event protocol buffers. The few messages
// needed (Event, Summary, SummaryMetadata, TensorProto and the HParams
// plugin's HParamsPluginData, Experiment, SessionStartInfo, SessionEndInfo,
// google.protobuf.Value) are encoded field by field with
// google.golang.org/protobuf/encoding/protowire, with the field numbers of
// TensorBoard's .proto files (noted at each encoder). The Python test
// (sweeps/test_tensorboard.py) reads the files back with TensorBoard's own
// EventAccumulator and checks every value against the run records.
//
// # Layout
//
// Export writes one directory per run, named after its Name and key, with
// one event file whose name depends only on the run (so exporting again
// replaces it), and, at the top, an event file with the HParams experiment:
// the settings that can be compared and the metrics. Scalars are tagged
// "loss/train", "loss/val", "accuracy/train", "accuracy/val", "lr" (one
// point per epoch, step = the 0-based epoch) and "loss/test",
// "accuracy/test" and "accuracy/val_kept" (the kept epoch's validation
// accuracy, what runs are compared on; one point each, at the last epoch). Every Config field is an
// hparam, by its JSON name; lists (hidden, dropout) are strings such as
// "120,72,48".
package tensorboard
