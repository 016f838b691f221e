// go_http: Go's net/http answering every request with the same small plain-text body,
// and GET /static/NAME from ROOT/static/NAME, for bench/http/run.sh.
//
//	go_http PORT ROOT
package main

import (
	"net/http"
	"os"
	"strconv"
)

func main() {
	hello := []byte("Hello, World!\n")
	mux := http.NewServeMux()
	mux.Handle("/static/", http.FileServer(http.Dir(os.Args[2])))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", strconv.Itoa(len(hello)))
		w.Write(hello)
	})
	if err := http.ListenAndServe("127.0.0.1:"+os.Args[1], mux); err != nil {
		panic(err)
	}
}
