// goclient is the Go reference for bench/run.sh: the same closed-loop load as
// `poolscope run` (N workers, each sending R GETs through one shared
// http.Transport), then it keeps the pool alive for -linger so the benchmark
// can read this process's resident memory while every connection sits idle.
// Standard library only, so it builds offline.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	Dials    int64   `json:"dials"`
	Reused   int64   `json:"reused"`
	Seconds  float64 `json:"duration_s"`
	RPS      float64 `json:"rps"`
}

func main() {
	url := flag.String("url", "", "target URL")
	workers := flag.Int("workers", 10, "concurrent closed-loop workers")
	requests := flag.Int("requests", 1, "requests per worker")
	linger := flag.Duration("linger", 0, "keep the pool alive this long after the load")
	maxIdle := flag.Int("max-idle-conns", 100, "Transport.MaxIdleConns")
	maxIdlePerHost := flag.Int("max-idle-conns-per-host", 0, "Transport.MaxIdleConnsPerHost")
	idleTimeout := flag.Duration("idle-conn-timeout", 90*time.Second, "Transport.IdleConnTimeout")
	disableKeepAlives := flag.Bool("disable-keep-alives", false, "Transport.DisableKeepAlives")
	flag.Parse()
	if *url == "" || *workers < 1 || *requests < 1 {
		fmt.Fprintln(os.Stderr, "goclient: need -url, -workers >= 1 and -requests >= 1")
		os.Exit(2)
	}

	// Matches http.DefaultTransport except for the pool knobs under test.
	transport := &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          *maxIdle,
		MaxIdleConnsPerHost:   *maxIdlePerHost,
		IdleConnTimeout:       *idleTimeout,
		DisableKeepAlives:     *disableKeepAlives,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: 1 * time.Second,
	}
	client := &http.Client{Transport: transport}

	var res result
	trace := &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				atomic.AddInt64(&res.Reused, 1)
			}
		},
		ConnectDone: func(network, addr string, err error) {
			atomic.AddInt64(&res.Dials, 1)
		},
	}

	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < *requests; i++ {
				req, err := http.NewRequest(http.MethodGet, *url, nil)
				if err != nil {
					atomic.AddInt64(&res.Errors, 1)
					continue
				}
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
				resp, err := client.Do(req)
				atomic.AddInt64(&res.Requests, 1)
				if err != nil {
					atomic.AddInt64(&res.Errors, 1)
					continue
				}
				// Read to EOF so the connection goes back to the pool.
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.RPS = float64(res.Requests-res.Errors) / res.Seconds
	}
	// bench/run.sh waits for this line before it samples memory.
	fmt.Fprintf(os.Stderr, "goclient: load done, lingering %s\n", *linger)
	time.Sleep(*linger)
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
	transport.CloseIdleConnections()
}
