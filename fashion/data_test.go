package fashion

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// ---- Helpers that generate small IDX files. ----

// idx3 returns an IDX3 file with the given header and pixel data (which
// need not agree with the header).
func idx3(magic uint32, n, rows, cols int, pixels []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = binary.BigEndian.AppendUint32(b, uint32(rows))
	b = binary.BigEndian.AppendUint32(b, uint32(cols))
	return append(b, pixels...)
}

// idx1 returns an IDX1 file with the given header count and labels.
func idx1(magic uint32, n int, labels []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	return append(b, labels...)
}

// genPixels returns n images of size bytes each with a recognisable,
// deterministic pattern.
func genPixels(n, size int) []byte {
	p := make([]byte, n*size)
	for i := range p {
		p[i] = byte(i*7 + i/size*13)
	}
	return p
}

// genLabels returns n labels cycling through the classes.
func genLabels(n int) []byte {
	l := make([]byte, n)
	for i := range l {
		l[i] = byte(i % NumClasses)
	}
	return l
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	smallTrainN = 20
	smallTestN  = 10
)

// smallDataset returns the raw (uncompressed) content of a small, valid
// data set, keyed by base file name. Test images differ from training ones.
func smallDataset() map[string][]byte {
	return map[string][]byte{
		trainImagesFile: idx3(magicImages, smallTrainN, Height, Width, genPixels(smallTrainN, NumPixels)),
		trainLabelsFile: idx1(magicLabels, smallTrainN, genLabels(smallTrainN)),
		testImagesFile:  idx3(magicImages, smallTestN, Height, Width, genPixels(smallTestN+1, NumPixels)[NumPixels:]),
		testLabelsFile:  idx1(magicLabels, smallTestN, genLabels(smallTestN)),
	}
}

// checksumsOf returns the checksums of files (raw content keyed by base
// name), keyed by base name as Checksums() is.
func checksumsOf(files map[string][]byte) map[string]string {
	sums := map[string]string{}
	for name, content := range files {
		s := sha256.Sum256(content)
		sums[name] = hex.EncodeToString(s[:])
	}
	return sums
}

// specFor is the data spec of files (raw content keyed by base name), with
// systemDir searched last.
func specFor(files map[string][]byte, systemDir string) *dataSpec {
	return &dataSpec{checksums: checksumsOf(files), systemDir: systemDir}
}

// writeFiles writes files (raw content keyed by base name) into dir,
// gzip-compressed as NAME.gz if gz, else raw as NAME.
func writeFiles(t *testing.T, dir string, files map[string][]byte, gz bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if gz {
			path += ".gz"
			content = gzipBytes(t, content)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wantErr fails t unless err is non-nil and its message contains every one
// of wants.
func wantErr(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// isolate makes the search of FindDir independent of the machine: it
// changes into a fresh directory and unsets $FASHION_MNIST_DIR and
// FASHION_MNIST_NO_VERIFY. It returns the new working directory and a
// system directory that does not exist, for findDir or a dataSpec.
func isolate(t *testing.T) (wd, systemDir string) {
	t.Helper()
	wd = t.TempDir()
	t.Chdir(wd)
	t.Setenv(envDir, "")
	t.Setenv(envNoVerify, "")
	return wd, filepath.Join(wd, "no-system-dir")
}

// ---- Tests on the real data. ----

var realData struct {
	once sync.Once
	data *Data
	err  error
}

// loadReal returns the real data set, loaded once per test binary, or
// skips the test if it is not installed.
func loadReal(t testing.TB) *Data {
	t.Helper()
	dir := os.Getenv(envDir)
	if dir == "" {
		dir = "/usr/share/datasets/fashion-mnist"
		if _, err := os.Stat(dir); err != nil {
			t.Skip("Fashion-MNIST not installed: install the Debian package dataset-fashion-mnist or set $FASHION_MNIST_DIR")
		}
	}
	realData.once.Do(func() {
		realData.data, realData.err = LoadWith(LoadOptions{Dir: dir, NoDownload: true})
	})
	if realData.err != nil {
		t.Fatalf("loading the real data from %s: %v", dir, realData.err)
	}
	return realData.data
}

func TestLoadRealData(t *testing.T) {
	d := loadReal(t)
	// Verification may have been turned off by FASHION_MNIST_NO_VERIFY;
	// comparing the combined checksum of what was read checks it anyway.
	if d.Checksum != DataChecksum() {
		t.Errorf("Checksum = %s, want DataChecksum() = %s: the files are not the official ones", d.Checksum, DataChecksum())
	}
	for _, tc := range []struct {
		name               string
		set                *Set
		n                  int
		imgShape, lblShape []int
		perClass           int
	}{
		{"train", d.Train, 60000, []int{60000, 28, 28}, []int{60000, 1}, 6000},
		{"test", d.Test, 10000, []int{10000, 28, 28}, []int{10000, 1}, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.set
			if s.Len() != tc.n || len(s.Labels) != tc.n || len(s.Images) != tc.n*NumPixels {
				t.Errorf("Len() = %d, %d labels, %d image bytes; want %d, %d, %d",
					s.Len(), len(s.Labels), len(s.Images), tc.n, tc.n, tc.n*NumPixels)
			}
			if got := s.ImagesShape(); !slices.Equal(got, tc.imgShape) {
				t.Errorf("ImagesShape() = %v, want %v", got, tc.imgShape)
			}
			if got := s.LabelsShape(); !slices.Equal(got, tc.lblShape) {
				t.Errorf("LabelsShape() = %v, want %v", got, tc.lblShape)
			}
			for c, n := range s.ClassCounts() {
				if n != tc.perClass {
					t.Errorf("class %d (%s): %d examples, want %d", c, classNames[c], n, tc.perClass)
				}
			}
		})
	}
}

func TestLoadRealDataVerified(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: not in -short")
	}
	d := loadReal(t) // skips if the data is missing
	t.Setenv(envNoVerify, "")
	// Verification on, checked through the paths actually used.
	if _, err := LoadWith(LoadOptions{Dir: d.Dir, NoDownload: true}); err != nil {
		t.Fatalf("LoadWith(%s) with verification: %v", d.Dir, err)
	}
	// And a wrong expectation must be caught.
	spec := officialSpec()
	spec.checksums[testLabelsFile] = strings.Repeat("0", 64)
	_, err := LoadWith(LoadOptions{Dir: d.Dir, NoDownload: true, spec: spec})
	wantErr(t, err, testLabelsFile, "checksum mismatch", Checksums()[testLabelsFile])
}

func TestDataChecksum(t *testing.T) {
	got := DataChecksum()
	if len(got) != 16 {
		t.Fatalf("DataChecksum() = %q, want 16 hex digits", got)
	}
	if _, err := hex.DecodeString(got); err != nil {
		t.Fatalf("DataChecksum() = %q: %v", got, err)
	}
	sums := Checksums()
	h := sha256.Sum256([]byte(sums["train-images-idx3-ubyte"] + sums["train-labels-idx1-ubyte"] +
		sums["t10k-images-idx3-ubyte"] + sums["t10k-labels-idx1-ubyte"]))
	if want := hex.EncodeToString(h[:])[:16]; got != want {
		t.Errorf("DataChecksum() = %s, want %s", got, want)
	}
}

// ---- Loading small generated files. ----

func TestLoadGeneratedGzAndRaw(t *testing.T) {
	files := smallDataset()
	for _, tc := range []struct {
		name  string
		write func(t *testing.T, dir string)
		want  string // base name of the file expected to be read for train images
	}{
		{"gz", func(t *testing.T, dir string) { writeFiles(t, dir, files, true) }, trainImagesFile + ".gz"},
		{"raw", func(t *testing.T, dir string) { writeFiles(t, dir, files, false) }, trainImagesFile},
		{"gz preferred over raw", func(t *testing.T, dir string) {
			writeFiles(t, dir, files, true)
			// A broken raw file next to the .gz one must be ignored.
			writeFiles(t, dir, map[string][]byte{trainImagesFile: []byte("broken")}, false)
		}, trainImagesFile + ".gz"},
		{"gz content under raw name", func(t *testing.T, dir string) {
			for name, content := range files {
				if err := os.WriteFile(filepath.Join(dir, name), gzipBytes(t, content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}, trainImagesFile},
		{"raw content under gz name", func(t *testing.T, dir string) {
			for name, content := range files {
				if err := os.WriteFile(filepath.Join(dir, name+".gz"), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}, trainImagesFile + ".gz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, systemDir := isolate(t)
			dir := t.TempDir()
			tc.write(t, dir)
			d, err := LoadWith(LoadOptions{Dir: dir, NoDownload: true, spec: specFor(files, systemDir)})
			if err != nil {
				t.Fatal(err)
			}
			if d.Dir != dir || d.Source != "explicit" {
				t.Errorf("Dir, Source = %q, %q; want %q, %q", d.Dir, d.Source, dir, "explicit")
			}
			if d.Train.Len() != smallTrainN || d.Test.Len() != smallTestN {
				t.Errorf("got %d/%d examples, want %d/%d", d.Train.Len(), d.Test.Len(), smallTrainN, smallTestN)
			}
			if want := files[trainImagesFile][16:]; !bytes.Equal(d.Train.Images, want) {
				t.Error("train images differ from the generated ones")
			}
			if want := files[testImagesFile][16:]; !bytes.Equal(d.Test.Images, want) {
				t.Error("test images differ from the generated ones")
			}
			if want := files[testLabelsFile][8:]; !bytes.Equal(d.Test.Labels, want) {
				t.Error("test labels differ from the generated ones")
			}
			if d.Checksum == DataChecksum() {
				t.Error("Checksum of generated data equals that of the official data")
			}
			// The file actually read for train images.
			images, n, err := ReadImages(filepath.Join(dir, tc.want))
			if err != nil || n != smallTrainN || !bytes.Equal(images, d.Train.Images) {
				t.Errorf("ReadImages(%s) = %d images, %v", tc.want, n, err)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	good := smallDataset()
	gzGood := map[string][]byte{}
	for name, content := range good {
		gzGood[name] = gzipBytes(t, content)
	}
	truncate := func(b []byte) []byte { return b[:len(b)/2] }
	badCRC := func(b []byte) []byte {
		b = slices.Clone(b)
		b[len(b)-8] ^= 0xff // first byte of the CRC-32 in the gzip trailer
		return b
	}
	badDeflate := func(b []byte) []byte {
		b = slices.Clone(b)
		for i := 10; i < len(b)-8; i++ { // between header and trailer
			b[i] = 0xff
		}
		return b
	}
	modifiedPixel := slices.Clone(good[testImagesFile])
	modifiedPixel[100]++
	labels10 := genLabels(smallTrainN)
	labels10[3] = 10

	for _, tc := range []struct {
		name string
		// files to write over the good gzip-compressed ones, already
		// encoded; a nil value removes the file.
		gzFiles  map[string][]byte
		rawFiles map[string][]byte // written raw (the .gz is removed)
		noVerify bool
		env      string // value of FASHION_MNIST_NO_VERIFY
		wants    []string
	}{
		{
			name:    "missing file",
			gzFiles: map[string][]byte{testLabelsFile: nil, trainImagesFile: nil},
			wants:   []string{"not found", "missing", "train-images-idx3-ubyte[.gz]", "t10k-labels-idx1-ubyte[.gz]"},
		},
		{
			name:     "wrong magic",
			rawFiles: map[string][]byte{trainImagesFile: idx1(magicLabels, 3, []byte{1, 2, 3})},
			wants:    []string{trainImagesFile, "wrong magic number 0x00000801, want 0x00000803 (IDX3 images)"},
		},
		{
			name:     "wrong magic labels",
			rawFiles: map[string][]byte{testLabelsFile: good[testImagesFile]},
			wants:    []string{testLabelsFile, "wrong magic number 0x00000803, want 0x00000801 (IDX1 labels)"},
		},
		{
			name:    "truncated gzip",
			gzFiles: map[string][]byte{trainImagesFile: truncate(gzGood[trainImagesFile])},
			wants:   []string{trainImagesFile + ".gz", "truncated gzip"},
		},
		{
			name:    "truncated gzip header",
			gzFiles: map[string][]byte{trainLabelsFile: gzGood[trainLabelsFile][:5]},
			wants:   []string{trainLabelsFile + ".gz", "truncated gzip"},
		},
		{
			name:    "corrupt gzip checksum",
			gzFiles: map[string][]byte{testImagesFile: badCRC(gzGood[testImagesFile])},
			wants:   []string{testImagesFile + ".gz", "corrupt gzip", "invalid checksum"},
		},
		{
			name:    "corrupt deflate data",
			gzFiles: map[string][]byte{testImagesFile: badDeflate(gzGood[testImagesFile])},
			wants:   []string{testImagesFile + ".gz", "corrupt gzip"},
		},
		{
			name:     "truncated header",
			rawFiles: map[string][]byte{trainImagesFile: good[trainImagesFile][:10]},
			wants:    []string{trainImagesFile, "truncated header: got 10 bytes, want 16"},
		},
		{
			name:     "image data too short",
			rawFiles: map[string][]byte{trainImagesFile: good[trainImagesFile][:16+19*NumPixels]},
			wants: []string{trainImagesFile, "data length mismatch", "20 images of 28x28",
				"want 15680 bytes", "got 14896"},
		},
		{
			name:     "image data too long",
			rawFiles: map[string][]byte{trainImagesFile: append(slices.Clone(good[trainImagesFile]), 1, 2, 3)},
			wants:    []string{trainImagesFile, "data length mismatch", "want 15680 bytes", "got 15683", "3 too many"},
		},
		{
			name:    "label data too short (gz)",
			gzFiles: map[string][]byte{testLabelsFile: gzipBytes(t, good[testLabelsFile][:8+7])},
			wants:   []string{testLabelsFile + ".gz", "data length mismatch", "10 labels", "want 10 bytes", "got 7"},
		},
		{
			name:     "images and labels counts differ",
			rawFiles: map[string][]byte{trainLabelsFile: idx1(magicLabels, smallTrainN-1, genLabels(smallTrainN-1))},
			noVerify: true,
			wants:    []string{trainImagesFile, trainLabelsFile, "holds 20 images", "19 labels"},
		},
		{
			name:     "label 10",
			rawFiles: map[string][]byte{trainLabelsFile: idx1(magicLabels, smallTrainN, labels10)},
			wants:    []string{trainLabelsFile, "label 10 at index 3 is outside 0..9"},
		},
		{
			name:     "27x28 images",
			rawFiles: map[string][]byte{testImagesFile: idx3(magicImages, smallTestN, 27, 28, genPixels(smallTestN, 27*28))},
			wants:    []string{testImagesFile, "images are 27x28 pixels, want 28x28"},
		},
		{
			name:     "28x27 images",
			rawFiles: map[string][]byte{testImagesFile: idx3(magicImages, smallTestN, 28, 27, genPixels(smallTestN, 27*28))},
			wants:    []string{testImagesFile, "images are 28x27 pixels, want 28x28"},
		},
		{
			name:    "checksum mismatch",
			gzFiles: map[string][]byte{testImagesFile: gzipBytes(t, modifiedPixel)},
			wants: []string{testImagesFile + ".gz", "checksum mismatch", "LoadOptions.NoVerify",
				"FASHION_MNIST_NO_VERIFY=1", "want " + hexSum(good[testImagesFile]), "is " + hexSum(modifiedPixel)},
		},
		{
			name:    "checksum mismatch, FASHION_MNIST_NO_VERIFY=0",
			gzFiles: map[string][]byte{testImagesFile: gzipBytes(t, modifiedPixel)},
			env:     "0",
			wants:   []string{testImagesFile + ".gz", "checksum mismatch"},
		},
		{
			name:     "checksum mismatch, NoVerify",
			gzFiles:  map[string][]byte{testImagesFile: gzipBytes(t, modifiedPixel)},
			noVerify: true,
		},
		{
			name:    "checksum mismatch, FASHION_MNIST_NO_VERIFY=1",
			gzFiles: map[string][]byte{testImagesFile: gzipBytes(t, modifiedPixel)},
			env:     "1",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, systemDir := isolate(t)
			t.Setenv(envNoVerify, tc.env)
			dir := t.TempDir()
			writeFiles(t, dir, good, true)
			for name, content := range tc.gzFiles {
				path := filepath.Join(dir, name+".gz")
				if content == nil {
					os.Remove(path)
				} else if err := os.WriteFile(path, content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range tc.rawFiles {
				os.Remove(filepath.Join(dir, name+".gz"))
				if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
					t.Fatal(err)
				}
			}

			d, err := LoadWith(LoadOptions{Dir: dir, NoVerify: tc.noVerify, spec: specFor(good, systemDir)})
			if len(tc.wants) == 0 {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if d.Test.Images[100-16] != modifiedPixel[100] {
					t.Error("the modified copy was not the one loaded")
				}
				if d.Checksum == combineChecksums([4]string{hexSum(good[trainImagesFile]), hexSum(good[trainLabelsFile]),
					hexSum(good[testImagesFile]), hexSum(good[testLabelsFile])}) {
					t.Error("Checksum does not reflect the modification")
				}
				return
			}
			if d != nil {
				t.Error("got data along with the error")
			}
			wantErr(t, err, append([]string{"fashion: ", dir}, tc.wants...)...)
			if isMismatch := strings.Contains(tc.name, "checksum mismatch"); isMismatch != errors.Is(err, ErrChecksum) {
				t.Errorf("errors.Is(%v, ErrChecksum) = %t, want %t", err, !isMismatch, isMismatch)
			}
		})
	}
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ---- Parsing. ----

func TestParseImages(t *testing.T) {
	pix := genPixels(3, 4*5)
	for _, tc := range []struct {
		name          string
		in            []byte
		n, rows, cols int
		wants         []string // error substrings; none: success
	}{
		{name: "valid", in: idx3(magicImages, 3, 4, 5, pix), n: 3, rows: 4, cols: 5},
		{name: "no images", in: idx3(magicImages, 0, 28, 28, nil), n: 0, rows: 28, cols: 28},
		{name: "empty input", in: nil, wants: []string{"truncated header: got 0 bytes, want 16"}},
		{name: "short header", in: idx3(magicImages, 3, 4, 5, nil)[:15], wants: []string{"truncated header: got 15 bytes"}},
		{name: "labels magic", in: idx3(magicLabels, 3, 4, 5, pix), wants: []string{"wrong magic number 0x00000801, want 0x00000803"}},
		{name: "IDX3 of int32", in: idx3(0x00000c03, 3, 4, 5, pix), wants: []string{"wrong magic number 0x00000c03"}},
		{name: "gzip data", in: gzipBytes(t, idx3(magicImages, 3, 4, 5, pix)), wants: []string{"wrong magic number 0x1f8b", "gzip-compressed"}},
		{name: "too short", in: idx3(magicImages, 3, 4, 5, pix[:59]), wants: []string{"data length mismatch", "want 60 bytes", "got 59"}},
		{name: "data missing", in: idx3(magicImages, 3, 4, 5, nil), wants: []string{"data length mismatch", "want 60 bytes", "got 0"}},
		{name: "too long", in: idx3(magicImages, 3, 4, 5, append(slices.Clone(pix), 0)), wants: []string{"data length mismatch", "want 60 bytes", "got 61", "1 too many"}},
		{name: "huge count", in: idx3(magicImages, 0xffffffff, 28, 28, pix), wants: []string{"4294967295 images of 28x28", "more than the limit"}},
		{name: "huge rows*cols", in: idx3(magicImages, 1, 0xffffffff, 0xffffffff, pix), wants: []string{"more than the limit"}},
		{name: "huge, zero count", in: idx3(magicImages, 0, 0xffffffff, 0xffffffff, nil), wants: []string{"more than the limit"}},
		{name: "just over limit", in: idx3(magicImages, 1<<21+1, 32, 32, pix), wants: []string{"more than the limit"}},
		{name: "at limit, little data", in: idx3(magicImages, 1<<21, 32, 32, pix), wants: []string{"data length mismatch", "want 2147483648 bytes", "got 60"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			images, n, rows, cols, err := ParseImages(bytes.NewReader(tc.in), "x/in.idx3")
			if len(tc.wants) > 0 {
				wantErr(t, err, append([]string{"fashion: x/in.idx3: "}, tc.wants...)...)
				if images != nil || n != 0 || rows != 0 || cols != 0 {
					t.Errorf("got %d bytes, %d, %d, %d along with the error", len(images), n, rows, cols)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.n || rows != tc.rows || cols != tc.cols {
				t.Errorf("n, rows, cols = %d, %d, %d; want %d, %d, %d", n, rows, cols, tc.n, tc.rows, tc.cols)
			}
			if !bytes.Equal(images, tc.in[16:]) || len(images) != n*rows*cols {
				t.Errorf("got %d image bytes, want the %d after the header", len(images), len(tc.in)-16)
			}
		})
	}
}

// oneByteReader returns the data one byte per Read, to exercise the
// reading loops.
type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func TestParseImagesLargeSlowReader(t *testing.T) {
	// More than the initial buffer, delivered a byte at a time.
	const n = 200
	pix := genPixels(n, NumPixels)
	images, gotN, _, _, err := ParseImages(&oneByteReader{idx3(magicImages, n, 28, 28, pix)}, "slow")
	if err != nil || gotN != n || !bytes.Equal(images, pix) {
		t.Fatalf("ParseImages = %d images, %v; want %d images equal to the input", gotN, err, n)
	}
	if cap(images) != len(images) {
		t.Errorf("cap = %d, want %d: the buffer should end up exactly sized", cap(images), len(images))
	}
}

func TestParseLabels(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    []byte
		want  []byte
		wants []string
	}{
		{name: "valid", in: idx1(magicLabels, 10, genLabels(10)), want: genLabels(10)},
		{name: "none", in: idx1(magicLabels, 0, nil), want: []byte{}},
		{name: "empty input", in: nil, wants: []string{"truncated header: got 0 bytes, want 8 (IDX1 labels)"}},
		{name: "images magic", in: idx1(magicImages, 2, []byte{1, 2}), wants: []string{"wrong magic number 0x00000803, want 0x00000801 (IDX1 labels)"}},
		{name: "label 10", in: idx1(magicLabels, 4, []byte{0, 9, 10, 1}), wants: []string{"label 10 at index 2 is outside 0..9"}},
		{name: "label 255", in: idx1(magicLabels, 1, []byte{255}), wants: []string{"label 255 at index 0"}},
		{name: "too short", in: idx1(magicLabels, 4, []byte{1, 2}), wants: []string{"data length mismatch", "4 labels", "want 4 bytes", "got 2"}},
		{name: "too long", in: idx1(magicLabels, 1, []byte{1, 2}), wants: []string{"data length mismatch", "want 1 bytes", "got 2"}},
		{name: "huge count", in: idx1(magicLabels, 0xffffffff, []byte{1}), wants: []string{"4294967295 labels", "more than the limit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLabels(bytes.NewReader(tc.in), "y/labels")
			if len(tc.wants) > 0 {
				wantErr(t, err, append([]string{"fashion: y/labels: "}, tc.wants...)...)
				if got != nil {
					t.Errorf("got %d labels along with the error", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadImagesAndLabels(t *testing.T) {
	dir := t.TempDir()
	files := smallDataset()
	write := func(name string, content []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	imgGz := write("img.gz", gzipBytes(t, files[trainImagesFile]))
	imgRaw := write("img", files[trainImagesFile])
	imgGzNoExt := write("img-gzipped", gzipBytes(t, files[trainImagesFile]))
	lblGz := write("lbl.gz", gzipBytes(t, files[trainLabelsFile]))
	lblRaw := write("lbl.raw", files[trainLabelsFile])
	small := write("small", idx3(magicImages, 2, 4, 5, genPixels(2, 20)))
	empty := write("empty", nil)
	onlyMagic := write("gzmagic", []byte{0x1f, 0x8b})

	for _, path := range []string{imgGz, imgRaw, imgGzNoExt} {
		images, n, err := ReadImages(path)
		if err != nil || n != smallTrainN || !bytes.Equal(images, files[trainImagesFile][16:]) {
			t.Errorf("ReadImages(%s) = %d images, %v; want %d, the generated ones", path, n, err, smallTrainN)
		}
	}
	for _, path := range []string{lblGz, lblRaw} {
		labels, err := ReadLabels(path)
		if err != nil || !bytes.Equal(labels, genLabels(smallTrainN)) {
			t.Errorf("ReadLabels(%s) = %v, %v; want the generated labels", path, labels, err)
		}
	}

	_, _, err := ReadImages(small)
	wantErr(t, err, small, "images are 4x5 pixels, want 28x28")
	_, _, err = ReadImages(empty)
	wantErr(t, err, empty, "truncated header")
	_, _, err = ReadImages(onlyMagic)
	wantErr(t, err, onlyMagic, "truncated gzip")
	_, err = ReadLabels(imgRaw)
	wantErr(t, err, imgRaw, "wrong magic number")
	missing := filepath.Join(dir, "missing")
	_, _, err = ReadImages(missing)
	wantErr(t, err, missing, "no such file")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
	_, err = ReadLabels(missing)
	wantErr(t, err, missing)
}

// ---- FindDir. ----

func TestFindDir(t *testing.T) {
	// FindDir only looks at the names, so empty files will do.
	complete := func(t *testing.T, dir string) string {
		t.Helper()
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, name := range fileNames {
			if i%2 == 0 { // mix compressed and raw names
				name += ".gz"
			}
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	incomplete := func(t *testing.T, dir string) string {
		t.Helper()
		complete(t, dir)
		if err := os.Remove(filepath.Join(dir, testLabelsFile)); err != nil {
			t.Fatal(err)
		}
		return dir
	}

	type setup struct{ explicit, env, local, system string } // "", "complete", "incomplete"
	for _, tc := range []struct {
		name       string
		setup      setup
		wantSource string // "" = error
		wants      []string
	}{
		{"system only", setup{system: "complete"}, "system (dataset-fashion-mnist)", nil},
		{"local over system", setup{local: "complete", system: "complete"}, "./data/fashion-mnist", nil},
		{"env over local", setup{env: "complete", local: "complete", system: "complete"}, "$FASHION_MNIST_DIR", nil},
		{"incomplete env skipped", setup{env: "incomplete", local: "complete"}, "./data/fashion-mnist", nil},
		{"incomplete local skipped", setup{env: "incomplete", local: "incomplete", system: "complete"}, "system (dataset-fashion-mnist)", nil},
		{"explicit over all", setup{explicit: "complete", env: "complete", local: "complete", system: "complete"}, "explicit", nil},
		{"incomplete explicit is an error", setup{explicit: "incomplete", env: "complete", local: "complete", system: "complete"}, "",
			[]string{"explicit-dir", "missing t10k-labels-idx1-ubyte[.gz]"}},
		{"nothing", setup{env: "incomplete"}, "",
			[]string{"not found", "env-dir [$FASHION_MNIST_DIR]: missing t10k-labels-idx1-ubyte[.gz]",
				"data/fashion-mnist [./data/fashion-mnist]: no such directory", "no-system-dir [system (dataset-fashion-mnist)]: no such directory"}},
		{"nothing, env unset", setup{}, "", []string{"$FASHION_MNIST_DIR (not set)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wd, systemDir := isolate(t)
			make := func(state, dir string) string {
				switch state {
				case "complete":
					return complete(t, dir)
				case "incomplete":
					return incomplete(t, dir)
				}
				return dir
			}
			explicit := make(tc.setup.explicit, filepath.Join(wd, "explicit-dir"))
			if tc.setup.explicit == "" {
				explicit = ""
			}
			if tc.setup.env != "" {
				t.Setenv(envDir, make(tc.setup.env, filepath.Join(wd, "env-dir")))
			}
			make(tc.setup.local, filepath.Join(wd, "data", "fashion-mnist"))
			make(tc.setup.system, systemDir)

			dir, source, err := findDir(explicit, systemDir)
			if tc.wantSource == "" {
				wantErr(t, err, tc.wants...)
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("error %v does not wrap fs.ErrNotExist", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantDir := map[string]string{
				"explicit":                       explicit,
				"$FASHION_MNIST_DIR":             filepath.Join(wd, "env-dir"),
				"./data/fashion-mnist":           filepath.Join(wd, "data", "fashion-mnist"),
				"system (dataset-fashion-mnist)": systemDir,
			}[tc.wantSource]
			if source != tc.wantSource || dir != wantDir {
				t.Errorf("FindDir(%q) = %q, %q; want %q, %q", explicit, dir, source, wantDir, tc.wantSource)
			}
		})
	}
}

func TestFindDirRelativeExplicit(t *testing.T) {
	wd, _ := isolate(t)
	writeFiles(t, filepath.Join(wd, "rel"), smallDataset(), true)
	dir, source, err := FindDir("rel")
	if err != nil || source != "explicit" || dir != filepath.Join(wd, "rel") {
		t.Errorf(`FindDir("rel") = %q, %q, %v; want %q, "explicit", nil`, dir, source, err, filepath.Join(wd, "rel"))
	}
}

// ---- Download. ----

// mirror is a test HTTP server serving gzip files under /mirror/.
type mirror struct {
	*httptest.Server
	requests atomic.Int32
}

func newMirror(t *testing.T, files map[string][]byte) *mirror {
	t.Helper()
	m := &mirror{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		name, ok := strings.CutPrefix(r.URL.Path, "/mirror/")
		content, found := files[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		w.Write(content)
	}))
	t.Cleanup(m.Close)
	return m
}

// gzFilesOf returns files compressed and keyed by NAME.gz.
func gzFilesOf(t *testing.T, files map[string][]byte) map[string][]byte {
	gz := map[string][]byte{}
	for name, content := range files {
		gz[name+".gz"] = gzipBytes(t, content)
	}
	return gz
}

// dirNames returns the sorted names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestDownload(t *testing.T) {
	files := smallDataset()
	sums := checksumsOf(files)
	served := gzFilesOf(t, files)
	m := newMirror(t, served)
	dir := filepath.Join(t.TempDir(), "sub", "dir") // created by Download

	var progress bytes.Buffer
	if err := download(context.Background(), m.URL+"/mirror", dir, &progress, sums); err != nil {
		t.Fatal(err)
	}
	want := []string{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Errorf("files in %s: %q, want %q", dir, got, want)
	}
	for name, content := range served {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("%s: content differs from the served one (%v)", name, err)
		}
	}
	for _, name := range want {
		if !strings.Contains(progress.String(), name) {
			t.Errorf("progress output %q does not mention %s", progress.String(), name)
		}
	}
	if !strings.Contains(progress.String(), "\r") || !strings.Contains(progress.String(), "100%") ||
		strings.Count(progress.String(), "done\n") != 4 {
		t.Errorf("progress output %q: want \\r updates, 100%% and four lines ending in done", progress.String())
	}
	if m.requests.Load() != 4 {
		t.Errorf("%d requests, want 4", m.requests.Load())
	}

	// Loading what was downloaded works.
	d, err := LoadWith(LoadOptions{Dir: dir, NoDownload: true, spec: &dataSpec{checksums: sums}})
	if err != nil || d.Train.Len() != smallTrainN {
		t.Fatalf("loading the downloaded files: %v", err)
	}

	// A second download finds the files in place and fetches nothing.
	if err := download(context.Background(), m.URL+"/mirror/", dir, nil, sums); err != nil {
		t.Fatal(err)
	}
	if m.requests.Load() != 4 {
		t.Errorf("%d requests after the second Download, want still 4", m.requests.Load())
	}

	// A damaged file in place is downloaded again.
	if err := os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := download(context.Background(), m.URL+"/mirror/", dir, nil, sums); err != nil {
		t.Fatal(err)
	}
	if m.requests.Load() != 5 {
		t.Errorf("%d requests after the third Download, want 5", m.requests.Load())
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz")); !bytes.Equal(got, served["t10k-labels-idx1-ubyte.gz"]) {
		t.Error("damaged file not replaced")
	}
}

func TestDownloadErrors(t *testing.T) {
	files := smallDataset()
	modified := slices.Clone(files[testImagesFile])
	modified[200] ^= 1

	for _, tc := range []struct {
		name   string
		served map[string][]byte // by base name, before compression; raw values under "raw:"
		ctx    func() context.Context
		wants  []string
		// files expected in the directory afterwards
		left []string
	}{
		{
			name:   "checksum mismatch",
			served: map[string][]byte{trainImagesFile: files[trainImagesFile], trainLabelsFile: files[trainLabelsFile], testImagesFile: modified, testLabelsFile: files[testLabelsFile]},
			wants:  []string{"/mirror/t10k-images-idx3-ubyte.gz", "checksum mismatch", "want " + hexSum(files[testImagesFile]), "t10k-images-idx3-ubyte.gz not written"},
			left:   []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"},
		},
		{
			name:   "404",
			served: map[string][]byte{trainImagesFile: files[trainImagesFile]},
			wants:  []string{"/mirror/train-labels-idx1-ubyte.gz", "404 Not Found"},
			left:   []string{"train-images-idx3-ubyte.gz"},
		},
		{
			name:   "not gzip",
			served: map[string][]byte{"raw:" + trainImagesFile: []byte("<html>not here</html>")},
			wants:  []string{"/mirror/train-images-idx3-ubyte.gz", "gzip: invalid header"},
		},
		{
			name:   "truncated gzip",
			served: map[string][]byte{"truncated:" + trainImagesFile: files[trainImagesFile]},
			wants:  []string{"/mirror/train-images-idx3-ubyte.gz", "unexpected EOF"},
		},
		{
			name:   "cancelled",
			served: map[string][]byte{trainImagesFile: files[trainImagesFile]},
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			wants: []string{"/mirror/train-images-idx3-ubyte.gz", "context canceled"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			served := map[string][]byte{}
			for key, content := range tc.served {
				if name, ok := strings.CutPrefix(key, "raw:"); ok {
					served[name+".gz"] = content
				} else if name, ok := strings.CutPrefix(key, "truncated:"); ok {
					gz := gzipBytes(t, content)
					served[name+".gz"] = gz[:len(gz)-20]
				} else {
					served[key+".gz"] = gzipBytes(t, content)
				}
			}
			m := newMirror(t, served)
			dir := t.TempDir()
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			var progress bytes.Buffer
			err := download(ctx, m.URL+"/mirror/", dir, &progress, checksumsOf(files))
			wantErr(t, err, append([]string{"fashion: ", m.URL}, tc.wants...)...)
			if strings.Contains(tc.name, "checksum") && !errors.Is(err, ErrChecksum) {
				t.Errorf("error %v does not wrap ErrChecksum", err)
			}
			if got := dirNames(t, dir); !slices.Equal(got, tc.left) {
				t.Errorf("files left in %s: %q, want %q", dir, got, tc.left)
			}
		})
	}
}

func TestLoadWithDownloads(t *testing.T) {
	files := smallDataset()
	m := newMirror(t, gzFilesOf(t, files))
	wd, systemDir := isolate(t)
	spec := specFor(files, systemDir)

	// With NoDownload nothing is fetched.
	_, err := LoadWith(LoadOptions{NoDownload: true, MirrorURL: m.URL + "/mirror/", spec: spec})
	wantErr(t, err, "not found", "no-system-dir")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v does not wrap fs.ErrNotExist", err)
	}
	// Nor with an explicit directory.
	_, err = LoadWith(LoadOptions{Dir: filepath.Join(wd, "elsewhere"), MirrorURL: m.URL + "/mirror/", spec: spec})
	wantErr(t, err, "elsewhere", "no such directory")
	if m.requests.Load() != 0 {
		t.Fatalf("%d requests, want none", m.requests.Load())
	}

	// A failing download says both what was not found and why the
	// download failed.
	_, err = LoadWith(LoadOptions{MirrorURL: m.URL + "/nothing-here/", Progress: &bytes.Buffer{}, spec: spec})
	wantErr(t, err, "not found", "downloading instead failed", "404")

	var progress bytes.Buffer
	d, err := LoadWith(LoadOptions{MirrorURL: m.URL + "/mirror/", Progress: &progress, spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(wd, "data", "fashion-mnist"); d.Source != "downloaded" || d.Dir != want {
		t.Errorf("Dir, Source = %q, %q; want %q, %q", d.Dir, d.Source, want, "downloaded")
	}
	if d.Train.Len() != smallTrainN || d.Test.Len() != smallTestN {
		t.Errorf("got %d/%d examples, want %d/%d", d.Train.Len(), d.Test.Len(), smallTrainN, smallTestN)
	}
	if !strings.Contains(progress.String(), "train-images-idx3-ubyte.gz") {
		t.Errorf("progress %q does not mention the files", progress.String())
	}

	// Next time the downloaded copy is found in ./data/fashion-mnist.
	d, err = LoadWith(LoadOptions{MirrorURL: m.URL + "/mirror/", spec: spec})
	if err != nil || d.Source != "./data/fashion-mnist" {
		t.Errorf("second LoadWith: Source %q, error %v; want ./data/fashion-mnist", d.Source, err)
	}
}

// ---- Set. ----

func TestDataSet(t *testing.T) {
	s := &Set{Images: genPixels(4, NumPixels), Labels: []uint8{3, 1, 3, 9}}
	if s.Len() != 4 {
		t.Errorf("Len() = %d, want 4", s.Len())
	}
	if got := s.ClassCounts(); got != [NumClasses]int{1: 1, 3: 2, 9: 1} {
		t.Errorf("ClassCounts() = %v", got)
	}
	img := s.Image(2)
	if len(img) != NumPixels || cap(img) != NumPixels || !bytes.Equal(img, s.Images[2*NumPixels:3*NumPixels]) {
		t.Errorf("Image(2): len %d cap %d, want the third image with cap %d", len(img), cap(img), NumPixels)
	}
	_ = append(img, 0) // must not overwrite image 3
	if !bytes.Equal(s.Image(3), genPixels(4, NumPixels)[3*NumPixels:]) {
		t.Error("appending to Image(2) changed Image(3)")
	}

	sub := s.Subset([]int{3, 0, 3})
	if sub.Len() != 3 || !slices.Equal(sub.Labels, []uint8{9, 3, 9}) {
		t.Errorf("Subset labels = %v, want [9 3 9]", sub.Labels)
	}
	for j, i := range []int{3, 0, 3} {
		if !bytes.Equal(sub.Image(j), s.Image(i)) {
			t.Errorf("Subset image %d differs from image %d", j, i)
		}
	}
	sub.Images[0]++
	sub.Labels[0] = 0
	if s.Images[3*NumPixels] == sub.Images[0] || s.Labels[3] != 9 {
		t.Error("Subset shares memory with the original")
	}
	if got := (&Set{Labels: []uint8{10, 200, 0}}).ClassCounts(); got != [NumClasses]int{0: 1} {
		t.Errorf("ClassCounts with invalid labels = %v, want only class 0 counted", got)
	}
}

// ---- Fuzzing. ----

func FuzzParseImages(f *testing.F) {
	f.Add(idx3(magicImages, 2, 3, 3, genPixels(2, 9)))
	f.Add(idx3(magicImages, 0, 0, 0, nil))
	f.Add(idx3(magicImages, 1, 28, 28, genPixels(1, NumPixels)))
	f.Add(idx3(magicImages, 2, 3, 3, genPixels(2, 9)[:10]))
	f.Add(idx3(magicImages, 2, 3, 3, genPixels(3, 9)))
	f.Add(idx3(magicLabels, 2, 3, 3, genPixels(2, 9)))
	f.Add(idx3(magicImages, 0xffffffff, 0xffffffff, 0xffffffff, nil))
	f.Add(idx3(magicImages, 1<<21, 32, 32, []byte{1}))
	f.Add([]byte{0, 0, 8, 3, 0, 0})
	f.Add([]byte{})
	f.Add(gzipBytes(f, idx3(magicImages, 2, 3, 3, genPixels(2, 9))))
	f.Fuzz(func(t *testing.T, in []byte) {
		images, n, rows, cols, err := ParseImages(bytes.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fashion: fuzz: ") {
				t.Errorf("error %q does not start with the name", err)
			}
			if images != nil {
				t.Error("images along with an error")
			}
			return
		}
		if len(images) != n*rows*cols {
			t.Fatalf("len(images) = %d, want %d*%d*%d", len(images), n, rows, cols)
		}
		if len(in) != 16+len(images) || !bytes.Equal(images, in[16:]) {
			t.Fatalf("images are not the %d bytes after the header", len(in)-16)
		}
		if h := binary.BigEndian.Uint32(in[4:]); uint32(n) != h {
			t.Fatalf("n = %d, header says %d", n, h)
		}
	})
}

func FuzzParseLabels(f *testing.F) {
	f.Add(idx1(magicLabels, 10, genLabels(10)))
	f.Add(idx1(magicLabels, 0, nil))
	f.Add(idx1(magicLabels, 3, []byte{1, 10, 2}))
	f.Add(idx1(magicLabels, 3, []byte{1}))
	f.Add(idx1(magicLabels, 1, []byte{1, 2}))
	f.Add(idx1(magicImages, 1, []byte{1}))
	f.Add(idx1(magicLabels, 0xffffffff, nil))
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		labels, err := ParseLabels(bytes.NewReader(in), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fashion: fuzz: ") {
				t.Errorf("error %q does not start with the name", err)
			}
			return
		}
		if len(in) != 8+len(labels) || int(binary.BigEndian.Uint32(in[4:])) != len(labels) {
			t.Fatalf("%d labels from %d bytes", len(labels), len(in))
		}
		for i, l := range labels {
			if l >= NumClasses {
				t.Fatalf("label %d at %d accepted", l, i)
			}
		}
	})
}
