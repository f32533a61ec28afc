package funcsource

// inOtherFile is declared apart from the functions of funcsource_test.go
// that use it: TestOf checks that Of refuses them.
func inOtherFile() {}
