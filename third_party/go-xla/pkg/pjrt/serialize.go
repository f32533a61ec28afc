package pjrt

// PATCH (fashion-gomlx, not in go-xla v0.1.4): serialization of compiled
// executables through PJRT_Executable_Serialize and
// PJRT_Executable_DeserializeAndLoad. See third_party/go-xla/PATCH.md.

/*
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "pjrt_c_api.h"
#include "gen_api_calls.h"
#include "gen_new_struct.h"

// serialize copies the serialization of executable into a malloc'ed buffer
// (freed by the caller) and releases the plugin's copy at once, so Go never
// holds a pointer into plugin-owned memory.
static PJRT_Error* serialize(const PJRT_Api *api, PJRT_Executable *executable, char **data, size_t *size) {
	PJRT_Executable_Serialize_Args args = {0};
	args.struct_size = PJRT_Executable_Serialize_Args_STRUCT_SIZE;
	args.executable = executable;
	PJRT_Error *err = api->PJRT_Executable_Serialize(&args);
	if (err) {
		return err;
	}
	*size = args.serialized_bytes_size;
	*data = malloc(*size > 0 ? *size : 1);
	if (*data != NULL && *size > 0) {
		memcpy(*data, args.serialized_bytes, *size);
	}
	if (args.serialized_executable_deleter != NULL) {
		args.serialized_executable_deleter(args.serialized_executable);
	}
	return NULL;
}

// hasSerialization reports whether the plugin's API table has both entries:
// an older plugin's table may end before them (struct_size), or leave them
// NULL.
static int hasSerialization(const PJRT_Api *api) {
	size_t end = offsetof(PJRT_Api, PJRT_Executable_DeserializeAndLoad) + sizeof(api->PJRT_Executable_DeserializeAndLoad);
	return api->struct_size >= end && api->PJRT_Executable_Serialize != NULL && api->PJRT_Executable_DeserializeAndLoad != NULL;
}
*/
import "C"
import (
	"runtime"
	"unsafe"

	"github.com/pkg/errors"
)

// errNoSerialization is returned by Serialize and DeserializeAndLoad when the
// plugin does not offer executable serialization.
var errNoSerialization = errors.New("the PJRT plugin does not implement PJRT_Executable_Serialize/PJRT_Executable_DeserializeAndLoad")

// Serialize returns a platform-specific serialization of the compiled
// executable, which Client.DeserializeAndLoad turns back into a
// LoadedExecutable. As the PJRT C API says, it is only valid for the same
// plugin build (platform and library version) that produced it.
func (e *LoadedExecutable) Serialize() ([]byte, error) {
	if e == nil || e.plugin == nil || e.wrapper == nil || e.executable == nil || e.executable.wrapper == nil {
		return nil, errors.New("LoadedExecutable is nil or destroyed")
	}
	defer runtime.KeepAlive(e)
	if C.hasSerialization(e.plugin.api) == 0 {
		return nil, errNoSerialization
	}
	var data *C.char
	var size C.size_t
	err := toError(e.plugin, C.serialize(e.plugin.api, e.executable.wrapper.c, &data, &size))
	if err != nil {
		return nil, errors.WithMessage(err, "PJRT_Executable_Serialize failed")
	}
	if data == nil {
		return nil, errors.New("PJRT_Executable_Serialize: out of memory copying the serialization")
	}
	defer C.free(unsafe.Pointer(data))
	return C.GoBytes(unsafe.Pointer(data), C.int(size)), nil
}

// DeserializeAndLoad loads an executable serialized by LoadedExecutable.Serialize
// with the same plugin build, using the compile options stored in it.
//
// Garbage given to it fails with an error from the plugin rather than
// crashing only as far as the plugin validates its input: callers that read
// serializations from disk should check their integrity first.
func (c *Client) DeserializeAndLoad(serialized []byte) (*LoadedExecutable, error) {
	if c == nil || c.plugin == nil || c.client == nil {
		return nil, errors.New("Client is nil or destroyed")
	}
	if len(serialized) == 0 {
		return nil, errors.New("DeserializeAndLoad: empty serialization")
	}
	defer runtime.KeepAlive(c)
	if C.hasSerialization(c.plugin.api) == 0 {
		return nil, errNoSerialization
	}
	args := C.new_PJRT_Executable_DeserializeAndLoad_Args()
	defer cFree(args)
	args.client = c.client.c
	data := C.CBytes(serialized)
	defer C.free(data)
	args.serialized_executable = (*C.char)(data)
	args.serialized_executable_size = C.size_t(len(serialized))
	err := toError(c.plugin, C.call_PJRT_Executable_DeserializeAndLoad(c.plugin.api, args))
	if err != nil {
		return nil, errors.WithMessage(err, "PJRT_Executable_DeserializeAndLoad failed")
	}
	return newLoadedExecutable(c.plugin, c, args.loaded_executable)
}
