// h2probe drives one URL with Go 1.19's own HTTP client, for the embedded server's HTTP/2
// tests (tests/tst_server_h2.cpp): optionally one warm-up request, then -n requests from -c
// goroutines, and prints one JSON line with what Go saw: resp.Proto per response, the
// distinct connections used (GotConn's local address), the dials, the errors, and the most
// requests in flight on one connection at once (GotConn to Body.Close: its h2 streams).
// Standard library only, no network beyond the URL.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"sync"
	"time"
)

type result struct {
	Protos      map[string]int `json:"protos"`
	Connections int            `json:"connections"`
	Dials       int            `json:"dials"`
	Reused      int            `json:"reused"`
	Errors      int            `json:"errors"`
	FirstError  string         `json:"firstError,omitempty"`
	FirstMillis float64        `json:"firstMillis"` // the warm-up request, 0 without one
	BatchMillis float64        `json:"batchMillis"` // the -n requests after it
	// The most requests between GotConn and Body.Close on one connection at once.
	MaxInFlightPerConn int `json:"maxInFlightPerConn"`
}

type recorder struct {
	mu       sync.Mutex
	res      result
	conns    map[string]bool
	inFlight map[string]int
}

// trace records into r; *addr receives the connection's local address at GotConn.
func (r *recorder) trace(addr *string) *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		ConnectDone: func(network, addr string, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if err == nil {
				r.res.Dials++
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			r.mu.Lock()
			defer r.mu.Unlock()
			if *addr != "" {
				r.inFlight[*addr]-- // a retry: the earlier attempt is over
			}
			*addr = info.Conn.LocalAddr().String()
			r.conns[*addr] = true
			r.inFlight[*addr]++
			if r.inFlight[*addr] > r.res.MaxInFlightPerConn {
				r.res.MaxInFlightPerConn = r.inFlight[*addr]
			}
			if info.Reused {
				r.res.Reused++
			}
		},
	}
}

func (r *recorder) get(client *http.Client, url string) {
	addr := ""
	defer func() {
		r.mu.Lock()
		if addr != "" {
			r.inFlight[addr]--
		}
		r.mu.Unlock()
	}()
	ctx := httptrace.WithClientTrace(context.Background(), r.trace(&addr))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err == nil {
		var resp *http.Response
		resp, err = client.Do(req)
		if err == nil {
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			r.mu.Lock()
			r.res.Protos[resp.Proto]++
			r.mu.Unlock()
		}
	}
	if err != nil {
		r.mu.Lock()
		r.res.Errors++
		if r.res.FirstError == "" {
			r.res.FirstError = err.Error()
		}
		r.mu.Unlock()
	}
}

func main() {
	url := flag.String("url", "", "target URL")
	n := flag.Int("n", 1, "requests after the warm-up")
	c := flag.Int("c", 1, "concurrent goroutines")
	warmup := flag.Bool("warmup", false, "one request first, alone")
	h1 := flag.Bool("h1", false, "HTTP/2 off: TLSNextProto = empty map (Go's documented way)")
	flag.Parse()

	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // the embedded server's test certificate
	t.MaxIdleConnsPerHost = *c + 1                            // HTTP/1.1 runs keep their connections
	if *h1 {
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	client := &http.Client{Transport: t, Timeout: 30 * time.Second}
	r := &recorder{res: result{Protos: map[string]int{}}, conns: map[string]bool{}, inFlight: map[string]int{}}

	start := time.Now()
	if *warmup {
		r.get(client, *url)
	}
	r.res.FirstMillis = float64(time.Since(start).Microseconds()) / 1000
	batch := time.Now()
	var wg sync.WaitGroup
	jobs := make(chan struct{}, *n)
	for i := 0; i < *n; i++ {
		jobs <- struct{}{}
	}
	close(jobs)
	for i := 0; i < *c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				r.get(client, *url)
			}
		}()
	}
	wg.Wait()
	r.res.BatchMillis = float64(time.Since(batch).Microseconds()) / 1000
	t.CloseIdleConnections()
	r.res.Connections = len(r.conns)
	out, _ := json.Marshal(r.res)
	fmt.Println(string(out))
	if r.res.Errors > 0 {
		os.Exit(1)
	}
}
