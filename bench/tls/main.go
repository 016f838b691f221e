// tlsbench: the TLS side of weft's benchmarks (bench/tls.sh). Two modes:
//
//	tlsbench serve -addr 127.0.0.1:PORT -cert C -key K
//	    a TLS echo server on crypto/tls, the peer weft-echo --tls-cert is compared with
//	tlsbench load -addr 127.0.0.1:PORT -ca CA -name localhost -conns N -size B -duration S [-handshakes] [-resume]
//	    echo load: N connections each sending B bytes and reading them back, in a loop;
//	    with -handshakes each operation is a new connection and a full handshake (-resume:
//	    a resumed one), closed at once. Prints one JSON line: {"ops_per_sec": ..., "errors": ...}.
//	    With -hold, opens N connections (handshake and one byte echoed on each), prints
//	    {"held": N} and keeps them idle for the duration: for measuring idle memory.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tlsbench serve|load [flags]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "load":
		load(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "tlsbench: unknown mode", os.Args[1])
		os.Exit(2)
	}
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	cert := fs.String("cert", "", "certificate chain (PEM)")
	key := fs.String("key", "", "private key (PEM)")
	fs.Parse(args)
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsbench:", err)
		os.Exit(1)
	}
	ln, err := tls.Listen("tcp", *addr, &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsbench:", err)
		os.Exit(1)
	}
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			buf := make([]byte, 16384)
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
		}(c)
	}
}

func load(args []string) {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	addr := fs.String("addr", "", "server address host:port")
	ca := fs.String("ca", "", "CA file (PEM)")
	name := fs.String("name", "localhost", "server name to verify")
	conns := fs.Int("conns", 50, "connections")
	size := fs.Int("size", 4096, "message size")
	duration := fs.Duration("duration", 3*time.Second, "measured time")
	handshakes := fs.Bool("handshakes", false, "one handshake per operation")
	resume := fs.Bool("resume", false, "with -handshakes: resume sessions")
	hold := fs.Bool("hold", false, "open -conns idle connections and hold them")
	fs.Parse(args)
	pem, err := os.ReadFile(*ca)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tlsbench:", err)
		os.Exit(1)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	config := &tls.Config{RootCAs: pool, ServerName: *name}
	if *resume {
		config.ClientSessionCache = tls.NewLRUClientSessionCache(*conns * 2)
	}
	if *hold {
		holdIdle(*addr, config, *conns, *duration)
		return
	}
	var ops, errors int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if *handshakes {
				for !stop.Load() {
					c, err := tls.Dial("tcp", *addr, config)
					if err != nil {
						atomic.AddInt64(&errors, 1)
						continue
					}
					// One byte each way makes the server finish (and, in TLS 1.3, send its ticket).
					if _, err := c.Write([]byte{1}); err == nil {
						var b [1]byte
						_, err = io.ReadFull(c, b[:])
					}
					c.Close()
					if err != nil {
						atomic.AddInt64(&errors, 1)
						continue
					}
					atomic.AddInt64(&ops, 1)
				}
				return
			}
			c, err := tls.Dial("tcp", *addr, config)
			if err != nil {
				atomic.AddInt64(&errors, 1)
				return
			}
			defer c.Close()
			msg := make([]byte, *size)
			back := make([]byte, *size)
			for !stop.Load() {
				if _, err := c.Write(msg); err != nil {
					atomic.AddInt64(&errors, 1)
					return
				}
				if _, err := io.ReadFull(c, back); err != nil {
					atomic.AddInt64(&errors, 1)
					return
				}
				atomic.AddInt64(&ops, 1)
			}
		}()
	}
	time.Sleep(*duration)
	stop.Store(true)
	counted := atomic.LoadInt64(&ops)
	wg.Wait()
	out, _ := json.Marshal(map[string]interface{}{
		"ops_per_sec": float64(counted) / duration.Seconds(),
		"errors":      atomic.LoadInt64(&errors),
	})
	fmt.Println(string(out))
}

func holdIdle(addr string, config *tls.Config, n int, duration time.Duration) {
	var held []net.Conn
	for i := 0; i < n; i++ {
		c, err := tls.Dial("tcp", addr, config)
		if err != nil {
			break
		}
		var b [1]byte
		if _, err := c.Write([]byte{1}); err != nil {
			c.Close()
			break
		}
		if _, err := io.ReadFull(c, b[:]); err != nil {
			c.Close()
			break
		}
		held = append(held, c)
	}
	fmt.Printf("{\"held\": %d}\n", len(held))
	os.Stdout.Sync()
	time.Sleep(duration)
	for _, c := range held {
		c.Close()
	}
}
