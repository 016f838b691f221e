// Go echo server: standard library net, one goroutine per connection.
// Usage: go_echo PORT THREADS   (THREADS sets GOMAXPROCS)
package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go_echo PORT THREADS")
		os.Exit(2)
	}
	threads, err := strconv.Atoi(os.Args[2])
	if err != nil || threads <= 0 {
		fmt.Fprintln(os.Stderr, "bad THREADS")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(threads)

	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Print(err)
			continue
		}
		go echo(conn)
	}
}

// echo is io.Copy(c, c) written out with io.Copy's own 32 KiB buffer. io.Copy
// itself would splice(2) through a pipe that each blocked connection holds, so
// 10,000 idle connections would need 30,000 descriptors; it is no faster here.
func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 32*1024)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
