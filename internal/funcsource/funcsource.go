// Package funcsource: TEMPORARY placeholder until the real one is merged.
package funcsource

import (
	"fmt"
	"reflect"
	"runtime"
)

type Source struct {
	Func string
	Code []byte
}

func Of(fn any) (Source, error) {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return Source{}, fmt.Errorf("no func")
	}
	return Source{Func: f.Name(), Code: []byte(f.Name())}, nil
}
