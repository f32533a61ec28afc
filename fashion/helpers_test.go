package fashion

import (
	"os"
	"sync"
	"testing"
)

var (
	realTBOnce sync.Once
	realTBSet  *Data
	realTBErr  error
)

// realDataTB loads the real Fashion-MNIST files once per test binary, or skips
// the test when they are not installed (CI installs dataset-fashion-mnist).
func realDataTB(tb testing.TB) *Data {
	tb.Helper()
	realTBOnce.Do(func() {
		if _, err := os.Stat(systemDir); err != nil && os.Getenv("FASHION_MNIST_DIR") == "" {
			realTBErr = err
			return
		}
		realTBSet, realTBErr = LoadWith(LoadOptions{NoDownload: true})
	})
	if realTBSet == nil {
		tb.Skipf("real Fashion-MNIST not available (apt-get install dataset-fashion-mnist): %v", realTBErr)
	}
	return realTBSet
}
