package fashion

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/fashion-gomlx/fashion-gomlx/internal/progress"
)

// Download fetches the four gzip-compressed Fashion-MNIST files from mirror
// (a base URL; the file names are appended to it) into dir, creating dir if
// needed, and writes a text progress bar (file name, percent, MB, updated
// in place with \r) to w; w may be nil for no progress output.
//
// Each file is written to a temporary file in dir while the SHA-256 of its
// decompressed content is computed, and renamed to its final name only once
// that matches Checksums(); a failed or cancelled download therefore never
// leaves a partial file under the final name. A file already present under
// its final name with the right checksum is not downloaded again.
func Download(ctx context.Context, mirror, dir string, w io.Writer) error {
	return download(ctx, mirror, dir, w, Checksums())
}

// download is Download checking the files against checksums (base name ->
// hex SHA-256 of the decompressed content).
func download(ctx context.Context, mirror, dir string, w io.Writer, checksums map[string]string) error {
	if w == nil {
		w = io.Discard
	}
	if !strings.HasSuffix(mirror, "/") {
		mirror += "/"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("fashion: creating download directory: %w", err)
	}
	for _, name := range fileNames {
		want, ok := checksums[name]
		if !ok {
			return fmt.Errorf("fashion: no known checksum for %s", name)
		}
		final := filepath.Join(dir, name+".gz")
		if sum, err := gzipContentSum(final); err == nil && sum == want {
			fmt.Fprintf(w, "%s: already present\n", final)
			continue
		}
		if err := downloadFile(ctx, mirror+name+".gz", final, want, w); err != nil {
			return err
		}
	}
	return nil
}

// gzipContentSum returns the hex SHA-256 of the decompressed content of the
// gzip file at path.
func gzipContentSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, zr); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// downloadFile downloads url into final via a temporary file, checking that
// the SHA-256 of the decompressed content is want.
func downloadFile(ctx context.Context, url, final, want string, w io.Writer) (err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("fashion: %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var uerr *neturl.Error // its message repeats the URL
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("fashion: downloading %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fashion: downloading %s: HTTP status %s, want 200 OK", url, resp.Status)
	}

	tmp, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".*.part")
	if err != nil {
		return fmt.Errorf("fashion: downloading %s: %w", url, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		if err != nil {
			os.Remove(tmpName)
		}
	}()

	bar := progress.New(w, filepath.Base(final), resp.ContentLength, progress.Bytes)
	// Everything read from the body is written to the temporary file and
	// counted by the progress bar; the gzip reader decompresses the same
	// bytes into the hash.
	body := io.TeeReader(resp.Body, io.MultiWriter(tmp, bar))
	h := sha256.New()
	zr, err := gzip.NewReader(body)
	if err == nil {
		_, err = io.Copy(h, zr)
	}
	if err == nil {
		// Normally a no-op: the gzip reader reads to the end of the body.
		_, err = io.Copy(io.Discard, body)
	}
	if err == nil {
		bar.Finish("done")
	} else {
		bar.Finish("failed")
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return fmt.Errorf("fashion: downloading %s: %w", url, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("fashion: downloading %s: %w: SHA-256 of the decompressed content is %s, want %s; %s not written",
			url, ErrChecksum, got, want, final)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("fashion: writing %s: %w", tmpName, err)
	}
	closeErr := tmp.Close()
	tmp = nil // closed; the deferred function still removes it on error
	if closeErr != nil {
		return fmt.Errorf("fashion: writing %s: %w", tmpName, closeErr)
	}
	if err := os.Rename(tmpName, final); err != nil {
		return fmt.Errorf("fashion: %w", err)
	}
	return nil
}
