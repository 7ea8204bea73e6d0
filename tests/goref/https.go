// HTTPS for goref: TLS targets, HTTP/2 as net/http negotiates it, and the
// response protocols (resp.Proto) in the JSON, so the conformance suite can
// hold PoolScope's HTTP/2 client against Go's own.
//
// Flags (registered here, read by the hooks main.go calls):
//
//	--insecure        (main.go) tls.Config.InsecureSkipVerify, also in the handshake here
//	--http2 auto|off  auto: HTTP/2 is attempted by ALPN as for DefaultTransport
//	                  (ForceAttemptHTTP2); off: TLSNextProto = {} (Go's documented
//	                  way to turn it off)
//	--strict-max-concurrent-streams
//	                  http2.Transport.StrictMaxConcurrentStreams (not reachable
//	                  through net/http alone in Go 1.19: see below)
//	--clone-default   start from http.DefaultTransport.Clone() instead of a
//	                  literal (Proxy and ForceAttemptHTTP2 survive)
//
// The TLS handshake runs in a DialTLSContext over the recording dialer, so
// httptrace's GotConn (whose Conn is the *tls.Conn) finds the connection the
// recorder knows; ForceAttemptHTTP2 keeps HTTP/2 with it, exactly as a custom
// dialer does in a real service.
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"net"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"sync"
	"unsafe"
)

var httpsOpt struct {
	http2        string
	strict       bool
	cloneDefault bool
}

func init() {
	flag.StringVar(&httpsOpt.http2, "http2", "auto", "auto (attempt HTTP/2 by ALPN) | off (TLSNextProto = {})")
	flag.BoolVar(&httpsOpt.strict, "strict-max-concurrent-streams", false, "http2.Transport.StrictMaxConcurrentStreams")
	flag.BoolVar(&httpsOpt.cloneDefault, "clone-default", false, "start from http.DefaultTransport.Clone()")
}

// protoCounts is resp.Proto of every response Do returned.
var protoCounts = struct {
	sync.Mutex
	m map[string]int64
}{m: map[string]int64{}}

func countProto(resp *http.Response) {
	protoCounts.Lock()
	protoCounts.m[resp.Proto]++
	protoCounts.Unlock()
}

func addHTTPSOutput(out map[string]interface{}) {
	protoCounts.Lock()
	defer protoCounts.Unlock()
	m := map[string]int64{}
	for k, v := range protoCounts.m {
		m[k] = v
	}
	out["protocols"] = m
}

// configureHTTPS applies the HTTPS flags to the Transport buildTransport made
// (its DialContext is the recorder's) and returns the one to use.
func configureHTTPS(o *options, r *recorder, t *http.Transport) *http.Transport {
	if httpsOpt.cloneDefault {
		c := http.DefaultTransport.(*http.Transport).Clone()
		c.MaxIdleConns = t.MaxIdleConns
		c.MaxIdleConnsPerHost = t.MaxIdleConnsPerHost
		c.MaxConnsPerHost = t.MaxConnsPerHost
		c.IdleConnTimeout = t.IdleConnTimeout
		c.DisableKeepAlives = t.DisableKeepAlives
		c.ResponseHeaderTimeout = t.ResponseHeaderTimeout
		c.TLSHandshakeTimeout = t.TLSHandshakeTimeout
		c.ExpectContinueTimeout = t.ExpectContinueTimeout
		c.DialContext = t.DialContext
		t = c
	}
	h2 := true
	switch httpsOpt.http2 {
	case "auto":
	case "off":
		h2 = false
		t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	default:
		fail("invalid value %q for --http2: want auto or off", httpsOpt.http2)
	}
	t.ForceAttemptHTTP2 = h2
	var protos []string
	if h2 {
		protos = []string{"h2", "http/1.1"}
	}
	dial := t.DialContext
	handshakeTimeout := t.TLSHandshakeTimeout
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		host, _, _ := net.SplitHostPort(addr)
		tc := tls.Client(c, &tls.Config{ServerName: host, InsecureSkipVerify: o.insecure, NextProtos: protos})
		hctx := ctx
		if handshakeTimeout > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, handshakeTimeout)
			defer cancel()
		}
		// As Transport's own TLS (addTLS) does, so the trace sees the handshake: a
		// handshake aborted by the request's context counts as dial_canceled (main.go).
		trace := httptrace.ContextClientTrace(ctx)
		if trace != nil && trace.TLSHandshakeStart != nil {
			trace.TLSHandshakeStart()
		}
		err = tc.HandshakeContext(hctx)
		if trace != nil && trace.TLSHandshakeDone != nil {
			trace.TLSHandshakeDone(tc.ConnectionState(), err)
		}
		if err != nil {
			c.Close()
			return nil, err
		}
		r.mu.Lock()
		if ci := r.byNetConn[c]; ci != nil {
			r.byNetConn[tc] = ci
		}
		r.mu.Unlock()
		return tc, nil
	}
	if httpsOpt.strict && h2 {
		setStrictMaxConcurrentStreams(t)
	}
	return t
}

// setStrictMaxConcurrentStreams sets the bundled http2.Transport's field. In a
// service that is golang.org/x/net/http2.ConfigureTransports(t) followed by
// t2.StrictMaxConcurrentStreams = true; goref uses the standard library only,
// so it reaches the bundled copy (created by the first CloseIdleConnections,
// which runs onceSetNextProtoDefaults) through reflection.
func setStrictMaxConcurrentStreams(t *http.Transport) {
	t.CloseIdleConnections()
	h2 := reflect.ValueOf(t).Elem().FieldByName("h2transport")
	if !h2.IsValid() || h2.IsNil() {
		fail("--strict-max-concurrent-streams: no HTTP/2 transport to configure")
	}
	f := h2.Elem().Elem().FieldByName("StrictMaxConcurrentStreams")
	if !f.IsValid() {
		fail("--strict-max-concurrent-streams: the bundled http2.Transport has no such field")
	}
	// A field reached through an unexported one cannot be set through reflect; its
	// address can.
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetBool(true)
}
