// Go UDP echo server: standard library net, one goroutine reading and answering.
// Usage: go_udp_echo PORT
package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"runtime"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go_udp_echo PORT")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(1)
	addr, err := net.ResolveUDPAddr("udp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		log.Fatal(err)
	}
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			continue
		}
		conn.WriteToUDPAddrPort(buf[:n], from)
	}
}
