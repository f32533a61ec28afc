package pjrt

// PATCH (fashion-gomlx, not in go-xla v0.1.4): a persistent cache of compiled
// executables, kept across processes, as JAX's persistent compilation cache
// and PyTorch/XLA's XLA_PERSISTENT_CACHE_PATH do. See
// third_party/go-xla/PATCH.md.

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/pkg/errors"
	"k8s.io/klog/v2"
)

// ExecutableCacheDirOption is a Plugin.NewClient option (a string): a folder
// where the client keeps the executables it compiles, so that another
// process (or client) compiling the same program with the same options,
// plugin build and $XLA_FLAGS loads it instead of compiling it again. The
// option is not passed on to the plugin.
//
// The cache never makes a compilation fail: a plugin that cannot serialize
// executables, a folder that cannot be written, and a damaged, truncated or
// foreign file all fall back to compiling (a damaged file is removed and
// replaced). Two processes storing the same executable at once is fine:
// each file is written whole under a temporary name and renamed.
const ExecutableCacheDirOption = "go_xla_executable_cache_dir"

// takeExecutableCacheOption returns options without ExecutableCacheDirOption
// (options itself is not modified) and the folder it named ("" if none).
func takeExecutableCacheOption(options NamedValuesMap) (NamedValuesMap, string, error) {
	value, found := options[ExecutableCacheDirOption]
	if !found {
		return options, "", nil
	}
	dir, ok := value.(string)
	if !ok {
		return nil, "", errors.Errorf("client option %q must be a string (a folder), got %T", ExecutableCacheDirOption, value)
	}
	rest := make(NamedValuesMap, len(options)-1)
	for k, v := range options {
		if k != ExecutableCacheDirOption {
			rest[k] = v
		}
	}
	return rest, dir, nil
}

// executableCache is a Client's folder of serialized executables.
type executableCache struct {
	dir string

	// build identifies the plugin build, the devices and the host: an
	// executable serialized with one is only valid for the same (the PJRT C
	// API promises nothing across library versions, and XLA:CPU compiles for
	// the host's CPU features).
	build []byte

	// warnOnce limits the warnings (a plugin without serialization, a folder
	// that cannot be written) to one per client.
	warnOnce sync.Once
}

func newExecutableCache(client *Client, dir string) *executableCache {
	var b bytes.Buffer
	path := client.plugin.path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	fmt.Fprintf(&b, "plugin=%s\n", path)
	if info, err := os.Stat(path); err == nil {
		fmt.Fprintf(&b, "size=%d mtime=%d\n", info.Size(), info.ModTime().UnixNano())
	}
	major, minor := client.plugin.Version()
	fmt.Fprintf(&b, "api=%d.%d platform=%s version=%s\n", major, minor, client.platform, client.platformVersion)
	for _, d := range client.addressableDevices {
		if desc, err := d.GetDescription(); err == nil {
			fmt.Fprintf(&b, "device=%s\n", desc.DebugString())
		}
	}
	fmt.Fprintf(&b, "host=%s/%s %s\n", runtime.GOOS, runtime.GOARCH, hostCPU())
	return &executableCache{dir: dir, build: b.Bytes()}
}

// hostCPU names the host's CPU model and features where the system says
// (Linux), so that executables compiled for one CPU are not loaded on
// another sharing the folder.
func hostCPU() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	var model, flags string
	for _, line := range strings.Split(string(data), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "model name", "CPU part":
			if model == "" {
				model = strings.TrimSpace(value)
			}
		case "flags", "Features":
			if flags == "" {
				flags = strings.TrimSpace(value)
			}
		}
	}
	return model + " [" + flags + "]"
}

// key is the cache key of a program: a hash of everything that determines
// the compiled executable.
func (ec *executableCache) key(format string, program, options []byte) [sha256.Size]byte {
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte("go-xla executable cache key v1"))
	field(ec.build)
	field([]byte(os.Getenv("XLA_FLAGS")))
	field([]byte(format))
	field(program)
	field(options)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (ec *executableCache) path(key [sha256.Size]byte) string {
	return filepath.Join(ec.dir, hex.EncodeToString(key[:])+".pjrt")
}

// A cache file is a header followed by the payload (the plugin's
// serialization):
//
//	magic (8 bytes) | version (uint32 LE) | payload length (uint64 LE) |
//	key (32 bytes) | sha256 of payload (32 bytes) | payload
//
// The key in the header catches a valid file stored under another name; the
// payload's hash catches truncation and corruption before the plugin, which
// may not validate its input, ever sees the bytes.
const (
	cacheMagic      = "GOXLAEXE"
	cacheVersion    = 1
	cacheHeaderSize = len(cacheMagic) + 4 + 8 + sha256.Size + sha256.Size
)

func encodeCacheFile(key [sha256.Size]byte, payload []byte) []byte {
	out := make([]byte, 0, cacheHeaderSize+len(payload))
	out = append(out, cacheMagic...)
	out = binary.LittleEndian.AppendUint32(out, cacheVersion)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(payload)))
	out = append(out, key[:]...)
	sum := sha256.Sum256(payload)
	out = append(out, sum[:]...)
	return append(out, payload...)
}

// decodeCacheFile returns the payload of a cache file, or an error saying
// why it is not a valid one for key.
func decodeCacheFile(key [sha256.Size]byte, data []byte) ([]byte, error) {
	if len(data) < cacheHeaderSize {
		return nil, errors.Errorf("%d bytes, shorter than the %d-byte header", len(data), cacheHeaderSize)
	}
	h := data[:cacheHeaderSize]
	if string(h[:8]) != cacheMagic {
		return nil, errors.New("not a go-xla executable cache file (bad magic)")
	}
	if v := binary.LittleEndian.Uint32(h[8:12]); v != cacheVersion {
		return nil, errors.Errorf("version %d, want %d", v, cacheVersion)
	}
	payload := data[cacheHeaderSize:]
	if n := binary.LittleEndian.Uint64(h[12:20]); n != uint64(len(payload)) {
		return nil, errors.Errorf("payload of %d bytes, header says %d (truncated?)", len(payload), n)
	}
	if !bytes.Equal(h[20:52], key[:]) {
		return nil, errors.New("stored under another key")
	}
	if sum := sha256.Sum256(payload); !bytes.Equal(h[52:84], sum[:]) {
		return nil, errors.New("payload checksum mismatch (corrupted)")
	}
	return payload, nil
}

// load returns the cached executable for key, or nil. An invalid file, or
// one the plugin cannot load, is removed so that the next compilation
// replaces it.
func (ec *executableCache) load(client *Client, key [sha256.Size]byte) *LoadedExecutable {
	path := ec.path(key)
	data, err := os.ReadFile(path)
	if err != nil {
		if !os.IsNotExist(err) {
			klog.V(1).Infof("executable cache: reading %s: %v", path, err)
		}
		return nil
	}
	payload, err := decodeCacheFile(key, data)
	if err == nil {
		var exec *LoadedExecutable
		exec, err = client.DeserializeAndLoad(payload)
		if err == nil {
			klog.V(1).Infof("executable cache: loaded %s", path)
			return exec
		}
	}
	klog.V(1).Infof("executable cache: ignoring and removing %s: %v", path, err)
	_ = os.Remove(path)
	return nil
}

// store writes exec's serialization for key; failures are logged (once per
// client) and otherwise ignored.
func (ec *executableCache) store(exec *LoadedExecutable, key [sha256.Size]byte) {
	payload, err := exec.Serialize()
	if err == nil {
		err = writeFileAtomic(ec.path(key), encodeCacheFile(key, payload))
	}
	if err != nil {
		ec.warnOnce.Do(func() {
			klog.Warningf("executable cache in %s: not storing compiled executables: %v", ec.dir, err)
		})
		return
	}
	klog.V(1).Infof("executable cache: stored %s", ec.path(key))
}

// writeFileAtomic writes data to a temporary file in path's folder and
// renames it to path, so that readers see either no file or a whole one.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = io.Copy(f, bytes.NewReader(data)); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// FromCache reports whether the executable was loaded from the client's
// executable cache (see ExecutableCacheDirOption) rather than compiled.
func (e *LoadedExecutable) FromCache() bool {
	return e.fromCache
}
