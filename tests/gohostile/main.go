// gohostile: Go 1.19's client against one hostile mode of `poolscope serve
// --hostile MODE`, for tests/tst_cli_hostile.cpp. It makes --requests GETs one
// after another on one http.Client (Go's defaults but the flags below), reads
// each body to EOF and prints one JSON object: the errors by text (the URL
// replaced by URL, local ports by PORT) and what the dialer and conns saw.
// Standard library only: it builds offline with Debian's golang-go.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

type countingConn struct {
	net.Conn
	closed *int64
	once   int32
}

func (c *countingConn) Close() error {
	if atomic.CompareAndSwapInt32(&c.once, 0, 1) {
		atomic.AddInt64(c.closed, 1)
	}
	return c.Conn.Close()
}

func main() {
	url := flag.String("url", "", "target URL")
	requests := flag.Int("requests", 3, "requests, one after another")
	timeout := flag.Duration("timeout", 0, "http.Client.Timeout")
	headerTimeout := flag.Duration("response-header-timeout", 0, "Transport.ResponseHeaderTimeout")
	flag.Parse()
	log.SetOutput(io.Discard) // "Unsolicited response received on idle HTTP channel"

	var dials, closed int64
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			atomic.AddInt64(&dials, 1)
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countingConn{Conn: c, closed: &closed}, nil
		},
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: *headerTimeout,
	}
	client := &http.Client{Transport: tr, Timeout: *timeout}
	ports := regexp.MustCompile(`127\.0\.0\.1:\d+->`)
	errs := map[string]int{}
	responses := 0
	for i := 0; i < *requests; i++ {
		resp, err := client.Get(*url)
		if err == nil {
			responses++
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err != nil {
			text := strings.ReplaceAll(err.Error(), *url, "URL")
			errs[ports.ReplaceAllString(text, "127.0.0.1:PORT->")]++
		}
	}
	tr.CloseIdleConnections()
	out, _ := json.Marshal(map[string]any{
		"responses": responses, "errors": errs, "dials": atomic.LoadInt64(&dials),
		"closed": atomic.LoadInt64(&closed),
	})
	fmt.Println(string(out))
	os.Exit(0)
}
