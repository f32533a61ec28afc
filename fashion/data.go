package fashion

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Dimensions of the Fashion-MNIST data.
const (
	NumClasses = 10             // number of clothing classes; labels are 0..NumClasses-1
	Height     = 28             // image height in pixels
	Width      = 28             // image width in pixels
	NumPixels  = Height * Width // pixels (bytes) per image
)

// ClassNames returns the exercise's label table: ClassNames()[label] is the
// name of the class with that label. The array is a copy: a caller that
// changes it changes no one else's names.
func ClassNames() [NumClasses]string { return classNames }

// classNames is ClassNames' table, unexported so that no package can
// rename a class for every other.
var classNames = [NumClasses]string{
	"T-shirt/top",
	"Trouser",
	"Pullover",
	"Dress",
	"Coat",
	"Sandal",
	"Shirt",
	"Sneaker",
	"Bag",
	"Ankle boot",
}

// Base names (without the ".gz" suffix) of the four Fashion-MNIST files.
const (
	trainImagesFile = "train-images-idx3-ubyte"
	trainLabelsFile = "train-labels-idx1-ubyte"
	testImagesFile  = "t10k-images-idx3-ubyte"
	testLabelsFile  = "t10k-labels-idx1-ubyte"
)

// fileNames lists the four files in their canonical order, which is also the
// order used by DataChecksum and by Download.
var fileNames = [4]string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile}

// Checksums returns, for the base name of each Fashion-MNIST file (without
// ".gz"), the hex SHA-256 of its decompressed content: a new map on each
// call, so a caller cannot change what the package verifies. Hashing the
// decompressed content makes the check independent of how a copy was
// compressed, so a .gz file and the raw file it decompresses to verify the
// same way.
func Checksums() map[string]string {
	return map[string]string{
		"train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
		"train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
		"t10k-images-idx3-ubyte":  "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
		"t10k-labels-idx1-ubyte":  "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
	}
}

// DataChecksum returns a short hash that identifies the official data set:
// the first 16 hex digits of the SHA-256 of the four entries of Checksums()
// concatenated in the order train images, train labels, test images, test
// labels. It is meant as part of a cache key; Data.Checksum is computed the
// same way from the content actually read, so the two agree for verified data.
func DataChecksum() string {
	official := Checksums()
	var sums [4]string
	for i, name := range fileNames {
		sums[i] = official[name]
	}
	return combineChecksums(sums)
}

func combineChecksums(sums [4]string) string {
	h := sha256.New()
	for _, s := range sums {
		io.WriteString(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// ErrChecksum is wrapped by the error LoadWith returns when the content of
// a file does not have the expected SHA-256, and by Download's errors when
// a downloaded file does not.
var ErrChecksum = errors.New("checksum mismatch")

// Set is one split of the data set: the content of one pair of IDX files.
type Set struct {
	// Images holds Len()*NumPixels bytes, row-major: image i is
	// Images[i*NumPixels:(i+1)*NumPixels], pixel (y, x) of it at
	// offset y*Width+x. 0 is background, 255 full intensity.
	Images []uint8
	// Labels holds one label per image, each in 0..NumClasses-1.
	Labels []uint8
}

// Len returns the number of examples in s.
func (s *Set) Len() int { return len(s.Labels) }

// ImagesShape returns the shape of s.Images as a tensor: [N, Height, Width].
func (s *Set) ImagesShape() []int { return []int{s.Len(), Height, Width} }

// LabelsShape returns the shape of s.Labels as a tensor: [N, 1], the shape
// the exercise gives its label tensors (torch.Size([60000, 1])).
func (s *Set) LabelsShape() []int { return []int{s.Len(), 1} }

// Image returns the NumPixels bytes of image i. The result shares memory
// with s.Images; its capacity is limited so that appending to it cannot
// overwrite the next image. It panics if i is out of range.
func (s *Set) Image(i int) []uint8 {
	return s.Images[i*NumPixels : (i+1)*NumPixels : (i+1)*NumPixels]
}

// Subset returns a new Set holding copies of the examples at indices, in
// that order (an index may repeat). It panics if an index is out of range.
func (s *Set) Subset(indices []int) *Set {
	sub := &Set{
		Images: make([]uint8, len(indices)*NumPixels),
		Labels: make([]uint8, len(indices)),
	}
	for j, i := range indices {
		copy(sub.Images[j*NumPixels:], s.Image(i))
		sub.Labels[j] = s.Labels[i]
	}
	return sub
}

// ClassCounts returns the number of examples of each class. Labels outside
// 0..NumClasses-1, which Load never produces, are not counted.
func (s *Set) ClassCounts() [NumClasses]int {
	var counts [NumClasses]int
	for _, l := range s.Labels {
		if int(l) < NumClasses {
			counts[l]++
		}
	}
	return counts
}

// Data is the whole Fashion-MNIST data set as returned by Load.
type Data struct {
	Train, Test *Set // 60000 and 10000 examples in the official data

	// Dir is the absolute path of the directory the files were read from.
	Dir string
	// Source says why Dir was chosen: "explicit", "$FASHION_MNIST_DIR",
	// "./data/fashion-mnist", "system (dataset-fashion-mnist)" or
	// "downloaded".
	Source string
	// Checksum combines the SHA-256 of the decompressed content of the
	// four files as DataChecksum does. It equals DataChecksum() unless the
	// files were loaded with verification off and differ from the official
	// ones, which makes it the better part of a cache key.
	Checksum string
}

// Values of Data.Source.
const (
	sourceExplicit   = "explicit"
	sourceEnv        = "$FASHION_MNIST_DIR"
	sourceLocal      = "./data/fashion-mnist"
	sourceSystem     = "system (dataset-fashion-mnist)"
	sourceDownloaded = "downloaded"
)

// The places FindDir searches, in order: the directory named by the
// environment variable envDir, localDir (relative to the working
// directory; downloads go there too), then the system directory (see
// dataSpec).
const (
	envDir   = "FASHION_MNIST_DIR"
	localDir = "data" + string(filepath.Separator) + "fashion-mnist"
)

// dataSpec is what the package takes the data set to be: the checksum of
// each file, and the system directory FindDir searches last. LoadWith,
// FindDir and Download use officialSpec(); the tests give their own
// (generated files, a machine-independent search) through
// LoadOptions.spec, findDir and download, so no package state changes.
type dataSpec struct {
	checksums map[string]string // base name (no ".gz") -> hex SHA-256 of the decompressed content
	systemDir string
}

// officialSpec is the official data set, in the place where the Debian
// package dataset-fashion-mnist installs it.
func officialSpec() *dataSpec {
	return &dataSpec{checksums: Checksums(), systemDir: "/usr/share/datasets/fashion-mnist"}
}

// envNoVerify names the environment variable that turns checksum
// verification off, like LoadOptions.NoVerify, when set to a true value
// ("1", "true", ...).
const envNoVerify = "FASHION_MNIST_NO_VERIFY"

// DefaultMirror is the base URL Download uses when LoadWith is not given
// one: the original location of the Fashion-MNIST files.
const DefaultMirror = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

// downloadTimeout bounds LoadWith's download of the data set.
const downloadTimeout = 10 * time.Minute

// LoadOptions configures LoadWith.
type LoadOptions struct {
	// Dir is the directory that holds the four files. If empty, LoadWith
	// searches as FindDir does and downloads when nothing is found.
	Dir string
	// NoVerify skips the SHA-256 check of the decompressed content, for a
	// deliberately modified copy. Setting the environment variable
	// FASHION_MNIST_NO_VERIFY=1 has the same effect.
	NoVerify bool
	// NoDownload makes LoadWith fail instead of downloading when the files
	// are not found.
	NoDownload bool
	// MirrorURL is the base URL for downloads; "" means DefaultMirror.
	MirrorURL string
	// Progress receives the download progress bar; nil means os.Stderr.
	Progress io.Writer

	// spec replaces officialSpec() (tests only).
	spec *dataSpec
}

// Load reads the data set from dir, or, if dir is "", from the first place
// FindDir finds it, downloading it into ./data/fashion-mnist if needed.
// It is LoadWith(LoadOptions{Dir: dir}).
func Load(dir string) (*Data, error) {
	return LoadWith(LoadOptions{Dir: dir})
}

// LoadWith reads and checks the four Fashion-MNIST files.
//
// The directory is opts.Dir if that is not empty, otherwise the first of
// $FASHION_MNIST_DIR, ./data/fashion-mnist and
// /usr/share/datasets/fashion-mnist that holds all four files; if none does
// and opts.NoDownload is false, the files are downloaded into
// ./data/fashion-mnist first. Each file may be gzip-compressed (recognised
// by its content, preferred when both exist under the names NAME.gz and
// NAME) or raw.
//
// Unless verification is turned off (opts.NoVerify or
// FASHION_MNIST_NO_VERIFY=1), the SHA-256 of each file's decompressed
// content must match Checksums().
func LoadWith(opts LoadOptions) (*Data, error) {
	noVerify := opts.NoVerify
	if v, err := strconv.ParseBool(os.Getenv(envNoVerify)); err == nil && v {
		noVerify = true
	}
	spec := opts.spec
	if spec == nil {
		spec = officialSpec()
	}

	dir, source, err := findDir(opts.Dir, spec.systemDir)
	if err != nil {
		if opts.Dir != "" || opts.NoDownload || !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		mirror := opts.MirrorURL
		if mirror == "" {
			mirror = DefaultMirror
		}
		progress := opts.Progress
		if progress == nil {
			progress = os.Stderr
		}
		// A stalled mirror must not hang the caller: the four files (30 MB)
		// take seconds on a working connection.
		ctx, cancel := context.WithTimeout(context.Background(), downloadTimeout)
		defer cancel()
		if dlErr := download(ctx, mirror, localDir, progress, spec.checksums); dlErr != nil {
			return nil, fmt.Errorf("%w\nfashion: downloading instead failed: %w", err, dlErr)
		}
		dir, source = absDir(localDir), sourceDownloaded
		if _, missing := dirFiles(dir); len(missing) > 0 {
			// Download succeeded, so this cannot happen unless someone
			// removed the files in the meantime.
			return nil, fmt.Errorf("fashion: %s: missing %s after download", dir, strings.Join(missing, ", "))
		}
	}

	paths, _ := dirFiles(dir)
	data := &Data{Dir: dir, Source: source}
	var sums [4]string

	var images [2][]uint8
	var counts [2]int
	var labels [2][]uint8
	for i := range 2 {
		imgPath, lblPath := paths[2*i], paths[2*i+1]
		var sum []byte
		images[i], counts[i], sum, err = readImages(imgPath)
		if err != nil {
			return nil, err
		}
		sums[2*i] = hex.EncodeToString(sum)
		labels[i], sum, err = readLabels(lblPath)
		if err != nil {
			return nil, err
		}
		sums[2*i+1] = hex.EncodeToString(sum)
		if counts[i] != len(labels[i]) {
			return nil, fmt.Errorf("fashion: %s holds %d images but %s holds %d labels; the counts must agree",
				imgPath, counts[i], lblPath, len(labels[i]))
		}
	}
	if !noVerify {
		for i, name := range fileNames {
			if err := checkSum(paths[i], name, sums[i], spec.checksums); err != nil {
				return nil, err
			}
		}
	}
	data.Train = &Set{Images: images[0], Labels: labels[0]}
	data.Test = &Set{Images: images[1], Labels: labels[1]}
	data.Checksum = combineChecksums(sums)
	return data, nil
}

// checkSum compares got, the hex SHA-256 of the content of path, with the
// checksum of the file with base name name in checksums.
func checkSum(path, name, got string, checksums map[string]string) error {
	want, ok := checksums[name]
	if !ok {
		return fmt.Errorf("fashion: %s: no known checksum for %s", path, name)
	}
	if got != want {
		return fmt.Errorf("fashion: %s: %w: SHA-256 of the decompressed content is %s, want %s "+
			"(to load a deliberately modified copy, set LoadOptions.NoVerify or %s=1)",
			path, ErrChecksum, got, want, envNoVerify)
	}
	return nil
}

// FindDir returns the first directory in the search order that holds all
// four Fashion-MNIST files, each under its name with ".gz" or without, and
// the reason it was chosen (see Data.Source).
//
// If explicit is not empty it is the only candidate, and FindDir fails if
// any file is missing there. Otherwise the search order is the directory
// named by $FASHION_MNIST_DIR (when set), ./data/fashion-mnist, and
// /usr/share/datasets/fashion-mnist, where the Debian package
// dataset-fashion-mnist installs the files. The returned dir is absolute.
// When no directory qualifies the error, which wraps fs.ErrNotExist, says
// what is missing in each place.
func FindDir(explicit string) (dir, source string, err error) {
	return findDir(explicit, officialSpec().systemDir)
}

// findDir is FindDir with systemDir as the last place searched.
func findDir(explicit, systemDir string) (dir, source string, err error) {
	if explicit != "" {
		dir := absDir(explicit)
		if _, missing := dirFiles(dir); len(missing) > 0 {
			return "", "", fmt.Errorf("fashion: %s: Fashion-MNIST data not found (%w): %s (want each file as NAME.gz or NAME)",
				dir, fs.ErrNotExist, describeMissing(dir, missing))
		}
		return dir, sourceExplicit, nil
	}

	type candidate struct{ dir, source string }
	var candidates []candidate
	var looked []string
	if d := os.Getenv(envDir); d != "" {
		candidates = append(candidates, candidate{d, sourceEnv})
	} else {
		looked = append(looked, "$"+envDir+" (not set)")
	}
	candidates = append(candidates, candidate{localDir, sourceLocal}, candidate{systemDir, sourceSystem})
	for _, c := range candidates {
		dir := absDir(c.dir)
		_, missing := dirFiles(dir)
		if len(missing) == 0 {
			return dir, c.source, nil
		}
		looked = append(looked, fmt.Sprintf("%s [%s]: %s", dir, c.source, describeMissing(dir, missing)))
	}
	return "", "", fmt.Errorf("fashion: Fashion-MNIST data not found (%w); looked in:\n\t%s\n"+
		"(install the Debian package dataset-fashion-mnist, set $%s, or let Load download it)",
		fs.ErrNotExist, strings.Join(looked, "\n\t"), envDir)
}

// describeMissing says what of the data set is missing in dir.
func describeMissing(dir string, missing []string) string {
	if len(missing) == len(fileNames) {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "no such directory"
		}
	}
	return "missing " + strings.Join(missing, ", ")
}

// absDir returns dir made absolute, or dir unchanged if that fails.
func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// dirFiles returns, in the order of fileNames, the path of each file in
// dir (NAME.gz preferred over NAME) and the names of those missing.
func dirFiles(dir string) (paths [4]string, missing []string) {
	for i, name := range fileNames {
		for _, candidate := range []string{name + ".gz", name} {
			p := filepath.Join(dir, candidate)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				paths[i] = p
				break
			}
		}
		if paths[i] == "" {
			missing = append(missing, name+"[.gz]")
		}
	}
	return paths, missing
}

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned
// byte) and the number of dimensions.
const (
	magicImages = 0x00000803
	magicLabels = 0x00000801
)

// maxIDXBytes bounds the data size a header may announce. The largest
// Fashion-MNIST file holds 47 MB; the bound only keeps a corrupt header from
// making the parser attempt an absurd amount of work.
const maxIDXBytes = min(1<<31, math.MaxInt)

// ParseImages parses IDX3 image data (magic number 0x00000803, big-endian
// header of count, rows and columns, then the unsigned bytes) from r and
// returns the count*rows*cols pixel bytes. name is used in error messages.
//
// All of r is read: fewer or more bytes than the header announces are an
// error, as is a header announcing more than 2 GiB of data. Memory is
// allocated as data arrives, not up front from the header's counts, so a
// corrupt header cannot cause a huge allocation.
func ParseImages(r io.Reader, name string) (images []uint8, n, rows, cols int, err error) {
	var hdr [16]byte
	if err := readHeader(r, name, hdr[:], magicImages, "IDX3 images"); err != nil {
		return nil, 0, 0, 0, err
	}
	n32 := binary.BigEndian.Uint32(hdr[4:])
	rows32 := binary.BigEndian.Uint32(hdr[8:])
	cols32 := binary.BigEndian.Uint32(hdr[12:])
	// Each product of two uint32 fits in a uint64; the second product is
	// only formed once the first is known to be at most maxIDXBytes.
	rc := uint64(rows32) * uint64(cols32)
	if rc > maxIDXBytes || uint64(n32)*rc > maxIDXBytes {
		return nil, 0, 0, 0, fmt.Errorf("fashion: %s: header announces %d images of %dx%d pixels, more than the limit of %d bytes (corrupt header?)",
			name, n32, rows32, cols32, int64(maxIDXBytes))
	}
	n, rows, cols = int(n32), int(rows32), int(cols32)
	want := n * rows * cols
	data, err := readData(r, name, want, len(hdr),
		fmt.Sprintf("header announces %d images of %dx%d pixels", n, rows, cols))
	if err != nil {
		return nil, 0, 0, 0, err
	}
	return data, n, rows, cols, nil
}

// ParseLabels parses IDX1 label data (magic number 0x00000801, big-endian
// count, then one unsigned byte per label) from r. Every label must be less
// than NumClasses. name is used in error messages. Like ParseImages it
// reads all of r and rejects data whose length disagrees with the header.
func ParseLabels(r io.Reader, name string) ([]uint8, error) {
	var hdr [8]byte
	if err := readHeader(r, name, hdr[:], magicLabels, "IDX1 labels"); err != nil {
		return nil, err
	}
	n32 := binary.BigEndian.Uint32(hdr[4:])
	if uint64(n32) > maxIDXBytes {
		return nil, fmt.Errorf("fashion: %s: header announces %d labels, more than the limit of %d (corrupt header?)",
			name, n32, int64(maxIDXBytes))
	}
	n := int(n32)
	labels, err := readData(r, name, n, len(hdr), fmt.Sprintf("header announces %d labels", n))
	if err != nil {
		return nil, err
	}
	for i, l := range labels {
		if int(l) >= NumClasses {
			return nil, fmt.Errorf("fashion: %s: label %d at index %d is outside 0..%d",
				name, l, i, NumClasses-1)
		}
	}
	return labels, nil
}

// readHeader reads len(hdr) header bytes from r and checks the magic number
// in the first four. The magic number is checked as soon as it is read, so
// that a short file of the wrong kind is reported as such.
func readHeader(r io.Reader, name string, hdr []byte, magic uint32, kind string) error {
	got, err := io.ReadFull(r, hdr[:4])
	if err == nil {
		if m := binary.BigEndian.Uint32(hdr); m != magic {
			hint := ""
			if hdr[0] == 0x1f && hdr[1] == 0x8b {
				hint = "; the data is gzip-compressed, decompress it first"
			}
			return fmt.Errorf("fashion: %s: wrong magic number 0x%08x, want 0x%08x (%s)%s", name, m, magic, kind, hint)
		}
		var more int
		more, err = io.ReadFull(r, hdr[4:])
		got += more
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF { // from io.ReadFull itself, not wrapped
		return fmt.Errorf("fashion: %s: truncated header: got %d bytes, want %d (%s)", name, got, len(hdr), kind)
	}
	if err != nil {
		return fmt.Errorf("fashion: %s: reading header: %w", name, err)
	}
	return nil
}

// readData reads the rest of r, which must hold exactly want bytes, into a
// slice that grows as data arrives rather than being allocated from want.
func readData(r io.Reader, name string, want, hdrLen int, announced string) ([]uint8, error) {
	buf := make([]byte, min(want, 1<<16))
	got := 0
	for {
		n, err := io.ReadFull(r, buf[got:])
		got += n
		if err == io.EOF || err == io.ErrUnexpectedEOF { // from io.ReadFull itself, not wrapped
			return nil, fmt.Errorf("fashion: %s: data length mismatch: %s, so want %d bytes after the %d-byte header, got %d (file truncated?)",
				name, announced, want, hdrLen, got)
		}
		if err != nil {
			return nil, fmt.Errorf("fashion: %s: reading data: %w", name, err)
		}
		if got == want {
			break
		}
		grown := make([]byte, min(2*len(buf), want))
		copy(grown, buf)
		buf = grown
	}
	extra, err := io.Copy(io.Discard, r)
	if err != nil {
		return nil, fmt.Errorf("fashion: %s: reading data: %w", name, err)
	}
	if extra > 0 {
		return nil, fmt.Errorf("fashion: %s: data length mismatch: %s, so want %d bytes after the %d-byte header, got %d (%d too many)",
			name, announced, want, hdrLen, int64(want)+extra, extra)
	}
	return buf, nil
}

// ReadImages reads an IDX3 image file, gzip-compressed or raw (told apart
// by the gzip magic bytes 1f 8b, not by the file name), checks that the
// images are Height x Width pixels, and returns the pixel bytes and the
// number of images. It does not verify the checksum; LoadWith does.
func ReadImages(path string) ([]uint8, int, error) {
	images, n, _, err := readImages(path)
	return images, n, err
}

// ReadLabels reads an IDX1 label file, gzip-compressed or raw, as
// ReadImages does, and returns the labels, each checked to be less than
// NumClasses. It does not verify the checksum; LoadWith does.
func ReadLabels(path string) ([]uint8, error) {
	labels, _, err := readLabels(path)
	return labels, err
}

// readImages is ReadImages that also returns the SHA-256 of the
// decompressed content, computed while parsing.
func readImages(path string) (images []uint8, n int, sum []byte, err error) {
	r, h, closeFn, err := openIDX(path)
	if err != nil {
		return nil, 0, nil, err
	}
	defer closeFn()
	images, n, rows, cols, err := ParseImages(r, path)
	if err != nil {
		return nil, 0, nil, err
	}
	if rows != Height || cols != Width {
		return nil, 0, nil, fmt.Errorf("fashion: %s: images are %dx%d pixels, want %dx%d", path, rows, cols, Height, Width)
	}
	return images, n, h.Sum(nil), nil
}

// readLabels is ReadLabels that also returns the SHA-256 of the
// decompressed content.
func readLabels(path string) (labels []uint8, sum []byte, err error) {
	r, h, closeFn, err := openIDX(path)
	if err != nil {
		return nil, nil, err
	}
	defer closeFn()
	labels, err = ParseLabels(r, path)
	if err != nil {
		return nil, nil, err
	}
	return labels, h.Sum(nil), nil
}

// openIDX opens path, decompressing it if it starts with the gzip magic
// bytes, and returns a reader of its content that also feeds the returned
// hash.
func openIDX(path string) (r io.Reader, h hash.Hash, closeFn func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("fashion: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	r = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, nil, fmt.Errorf("fashion: %s: %w", path, gzipError{err})
		}
		r = gzipReader{zr}
	}
	h = sha256.New()
	return io.TeeReader(r, h), h, func() { f.Close() }, nil
}

// gzipReader marks the errors of a gzip stream as such, so that a truncated
// gzip file is not mistaken for a truncated IDX file.
type gzipReader struct{ r *gzip.Reader }

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = gzipError{err}
	}
	return n, err
}

// gzipError is an error of the gzip layer of a file.
type gzipError struct{ err error }

func (e gzipError) Error() string {
	if errors.Is(e.err, io.ErrUnexpectedEOF) {
		return "truncated gzip stream (unexpected EOF)"
	}
	return "corrupt gzip stream: " + e.err.Error()
}

func (e gzipError) Unwrap() error { return e.err }

// IndexOf returns the index of the first example of class label, or -1.
func (s *Set) IndexOf(label uint8) int {
	for i, l := range s.Labels {
		if l == label {
			return i
		}
	}
	return -1
}

// Sample returns the first n images (fewer if the set is smaller) with
// their class names as captions.
func (s *Set) Sample(n int) (images [][]uint8, captions []string) {
	for i := range min(n, s.Len()) {
		images = append(images, s.Image(i))
		captions = append(captions, classNames[s.Labels[i]])
	}
	return images, captions
}
