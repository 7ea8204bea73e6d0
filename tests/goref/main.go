// goref: the Go reference for PoolScope's conformance suite.
//
// It runs a load scenario through a real net/http.Transport (Go's own pool is
// the referee) and prints the same JSON keys as `poolscope run --json`. Flags
// shared with `poolscope run` carry the same names. Standard library only, so
// it builds offline with Debian's golang-go (Go 1.19).
//
// What Go does not expose directly is observed from the outside:
//   - dials: a DialContext wrapper; closes: a net.Conn wrapper;
//   - reuse: httptrace.GotConn; retries: more than one GetConn per request;
//   - close reasons: the state of the connection when it closes (see
//     classifyClose), which is how a user would reason about it too.
//
// Two extra modes serve the suite: --lockstep (rounds of N workers with a
// barrier between them, so dial counts are exact) and --serve-stale (a tiny
// server that answers the first request of each connection and silently
// closes on the second, i.e. a connection that went stale under the client).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type urlList []string

func (u *urlList) String() string     { return strings.Join(*u, ",") }
func (u *urlList) Set(v string) error { *u = append(*u, v); return nil }

type options struct {
	urls                  urlList
	headers               urlList // "Name: value", repeatable
	workers               int
	requests              int
	duration              time.Duration
	think                 time.Duration
	method                string
	bodySize              int
	bodyPolicy            string
	rate                  float64
	arrivals              string
	seed                  int64
	mixShare              float64
	mixBodyPolicy         string
	mixMethod             string
	defaults              string
	maxIdleConns          int
	maxIdleConnsPerHost   int
	maxConnsPerHost       int
	idleConnTimeout       time.Duration
	disableKeepAlives     bool
	responseHeaderTimeout time.Duration
	tlsHandshakeTimeout   time.Duration
	expectContinueTimeout time.Duration
	dialTimeout           time.Duration
	keepAlive             time.Duration
	timeout               time.Duration
	insecure              bool
	linger                time.Duration
	lockstep              bool
	jsonOut               bool
	events                string
	traceThink            bool
	quiet                 bool
	serveStale            bool
	set                   map[string]bool
}

func parseFlags() *options {
	o := &options{}
	fs := flag.CommandLine
	fs.Var(&o.urls, "url", "target URL; repeat for several hosts (worker i uses URL i mod n)")
	fs.Var(&o.headers, "header", "request header \"Name: value\"; repeat for more (req.Header.Add)")
	fs.IntVar(&o.workers, "workers", 10, "concurrent workers")
	fs.IntVar(&o.requests, "requests", 0, "requests per worker (rounds with --lockstep)")
	fs.DurationVar(&o.duration, "duration", 0, "run length")
	fs.DurationVar(&o.think, "think", 0, "pause between a response and the next request (between rounds with --lockstep)")
	fs.StringVar(&o.method, "method", "GET", "HTTP method")
	fs.IntVar(&o.bodySize, "body-size", 0, "request body bytes")
	fs.StringVar(&o.bodyPolicy, "body-policy", "read", "read | close-early | leak")
	fs.Float64Var(&o.rate, "rate", 0, "requests/s over all workers, paced by --arrivals; 0 = closed loop")
	fs.StringVar(&o.arrivals, "arrivals", "go", "go (each worker time.Sleeps until its own slot) | poisson | exact (one precise arrival stream)")
	fs.Int64Var(&o.seed, "seed", 1, "seed of the Poisson arrivals")
	fs.Float64Var(&o.mixShare, "mix-share", 0, "share of the workers (spread evenly) using --mix-body-policy")
	fs.StringVar(&o.mixBodyPolicy, "mix-body-policy", "leak", "body policy of the mixed share")
	fs.StringVar(&o.mixMethod, "mix-method", "", "HTTP method of the mixed share (empty: --method); GET or HEAD in a run of another method sends no body")
	fs.StringVar(&o.defaults, "defaults", "go", "go (DefaultTransport) | zero (Transport{})")
	fs.IntVar(&o.maxIdleConns, "max-idle-conns", 0, "Transport.MaxIdleConns")
	fs.IntVar(&o.maxIdleConnsPerHost, "max-idle-conns-per-host", 0, "Transport.MaxIdleConnsPerHost")
	fs.IntVar(&o.maxConnsPerHost, "max-conns-per-host", 0, "Transport.MaxConnsPerHost")
	fs.DurationVar(&o.idleConnTimeout, "idle-conn-timeout", 0, "Transport.IdleConnTimeout")
	fs.BoolVar(&o.disableKeepAlives, "disable-keep-alives", false, "Transport.DisableKeepAlives")
	fs.DurationVar(&o.responseHeaderTimeout, "response-header-timeout", 0, "Transport.ResponseHeaderTimeout")
	fs.DurationVar(&o.tlsHandshakeTimeout, "tls-handshake-timeout", 0, "Transport.TLSHandshakeTimeout")
	fs.DurationVar(&o.expectContinueTimeout, "expect-continue-timeout", 0, "Transport.ExpectContinueTimeout")
	fs.DurationVar(&o.dialTimeout, "dial-timeout", 0, "Dialer.Timeout")
	fs.DurationVar(&o.keepAlive, "keep-alive", 0, "Dialer.KeepAlive")
	fs.DurationVar(&o.timeout, "timeout", 0, "Client.Timeout")
	fs.BoolVar(&o.insecure, "insecure", false, "TLSClientConfig.InsecureSkipVerify (the embedded server's test certificate)")
	fs.DurationVar(&o.linger, "linger", 0, "keep the pool alive this long after the load, then report")
	fs.BoolVar(&o.lockstep, "lockstep", false, "rounds of --workers requests with a barrier between rounds")
	fs.BoolVar(&o.jsonOut, "json", false, "print one JSON object")
	fs.StringVar(&o.events, "events", "", "write httptrace events and closes as NDJSON to FILE")
	fs.BoolVar(&o.traceThink, "trace-think", false, "with --events and a closed loop: ThinkStart/ThinkEnd events around each worker's time.Sleep (tests/conformance/intermediate_caps.md)")
	fs.BoolVar(&o.quiet, "quiet", false, "accepted for symmetry with poolscope run")
	fs.BoolVar(&o.serveStale, "serve-stale", false, "serve: answer the first request of a connection, close on the second")
	fs.Parse(os.Args[1:])
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	return o
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "goref: "+format+"\n", a...)
	os.Exit(2)
}

// ---------------------------------------------------------------- recorder

type connState int

const (
	stActive connState = iota
	stIdle
	stClosed
)

type connInfo struct {
	id             int64
	state          connState
	idleSince      time.Time
	putErr         error // PutIdleConn(err) of the last request on it
	respClose      bool  // the response said Connection: close (or HTTP/1.0)
	bodyEarly      bool  // the caller closed the body before EOF
	reqErr         string
	readEOFIdle    bool // a read failed while the connection was idle
	readErrActive  bool // a read failed while a request was using it
	bodyLeaked     bool // the caller got a body it never closes (--body-policy leak)
	pendingClose   bool // closed while active for a reason only the request's error will tell
	requestsServed int
}

type event struct {
	T       int64  `json:"t_ns"`
	Type    string `json:"type"`
	Conn    int64  `json:"conn"`
	Req     int64  `json:"req"`
	Reused  *bool  `json:"reused,omitempty"`
	WasIdle *bool  `json:"was_idle,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Err     string `json:"err,omitempty"`
	// --trace-think only: the worker (1-based) of a ThinkStart/ThinkEnd event, and for
	// ThinkStart the request the worker finished last (its PutIdleConn is earlier).
	Worker int `json:"w,omitempty"`
}

type recorder struct {
	opt   *options
	start time.Time

	mu           sync.Mutex
	conns        map[int64]*connInfo
	byNetConn    map[net.Conn]*connInfo
	nextConn     int64
	nextReq      int64
	dials        int64
	dialFailures int64
	gets         int64
	reused       int64
	fresh        int64
	handoffs     int64
	retries      int64
	redirects    int64 // hops Client.Do followed (CheckRedirect let them through)
	closed       int64
	reasons      map[string]int64
	lastClose    time.Time
	reporting    bool // the load is over: later closes are the transport shutting down
	events       []event
	maxEvents    int
}

func newRecorder(o *options) *recorder {
	return &recorder{opt: o, start: time.Now(), conns: map[int64]*connInfo{},
		byNetConn: map[net.Conn]*connInfo{}, reasons: map[string]int64{}, maxEvents: 200000}
}

func (r *recorder) addEventLocked(e event) {
	if r.opt.events == "" || len(r.events) >= r.maxEvents {
		return
	}
	e.T = time.Since(r.start).Nanoseconds()
	r.events = append(r.events, e)
}

type trackedConn struct {
	net.Conn
	info *connInfo
	r    *recorder
	once sync.Once
}

func (c *trackedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.r.mu.Lock()
		if c.info.state == stIdle {
			c.info.readEOFIdle = true
		} else if c.info.state == stActive {
			c.info.readErrActive = true
		}
		c.r.mu.Unlock()
	}
	return n, err
}

func (c *trackedConn) Close() error {
	c.once.Do(func() { c.r.onClose(c.info) })
	return c.Conn.Close()
}

// classifyClose names why Go closed a connection, from what was seen on it.
// The order mirrors the order in which Go's readLoop and tryPutIdleConn decide.
func (r *recorder) classifyClose(ci *connInfo) string {
	o := r.opt
	if r.reporting {
		return "transport_closed"
	}
	if ci.state == stIdle {
		switch {
		case ci.readEOFIdle:
			return "server_closed_idle"
		case o.idleConnTimeout > 0 && time.Since(ci.idleSince) >= o.idleConnTimeout-2*time.Millisecond:
			return "idle_timeout"
		default:
			return "too_many_idle"
		}
	}
	switch {
	case ci.putErr != nil && strings.Contains(ci.putErr.Error(), "too many idle connections for host"):
		return "too_many_idle_host"
	case ci.reqErr != "":
		return ci.reqErr
	case o.disableKeepAlives || o.maxIdleConnsPerHost < 0:
		return "keep_alives_disabled"
	case ci.respClose:
		return "connection_close_response"
	case ci.bodyEarly:
		return "body_not_read"
	case ci.readErrActive:
		return "read_error"
	case ci.bodyLeaked && o.timeout > 0:
		// Client.Timeout's context ends while the readLoop waits for the leaked
		// body: it closes the connection (no error reaches anyone).
		return "client_timeout"
	}
	// A timeout or cancel closes the connection before the caller gets the
	// error; the request's error names the reason (see doRequest).
	return ""
}

func (r *recorder) onClose(ci *connInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reason := r.classifyClose(ci)
	wasActive := ci.state == stActive
	ci.state = stClosed
	if reason != "transport_closed" {
		r.closed++
		if reason == "" && wasActive {
			ci.pendingClose = true
		} else {
			if reason == "" {
				reason = "other"
			}
			r.reasons[reason]++
		}
	}
	r.lastClose = time.Now()
	r.addEventLocked(event{Type: "ConnClosed", Conn: ci.id, Reason: reason})
}

func (r *recorder) dialer(o *options) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: o.dialTimeout, KeepAlive: o.keepAlive}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		r.mu.Lock()
		r.dials++
		r.mu.Unlock()
		c, err := d.DialContext(ctx, network, addr)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.dialFailures++
			return nil, err
		}
		r.nextConn++
		ci := &connInfo{id: r.nextConn, state: stActive}
		if rs, ok := ctx.Value(reqStateKey{}).(*reqState); ok {
			rs.dialing = ci // Go 1.19 dials under the request's context
		}
		r.conns[ci.id] = ci
		tc := &trackedConn{Conn: c, info: ci, r: r}
		r.byNetConn[tc] = ci
		return tc, nil
	}
}

// reqState is one request's view (all attempts, i.e. retries included). A
// redirect starts a new hop, whose first GetConn is no retry.
type reqState struct {
	id       int64
	getConns int
	conn     *connInfo
	dialing  *connInfo // the connection its own dial made (TCP connected)
}

func (r *recorder) trace(rs *reqState) *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn: func(hostPort string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			rs.getConns++
			if rs.getConns > 1 {
				r.retries++
			}
			r.nextReq++
			rs.id = r.nextReq
			r.addEventLocked(event{Type: "GetConn", Req: rs.id})
		},
		ConnectStart: func(network, addr string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.addEventLocked(event{Type: "ConnectStart", Req: rs.id})
		},
		ConnectDone: func(network, addr string, err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			e := event{Type: "ConnectDone", Req: rs.id}
			if err != nil {
				e.Err = err.Error()
			}
			r.addEventLocked(e)
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			// Go 1.19 dials under the request's context: when another connection
			// served the request and its context ended (Client.Timeout's cancel once
			// the body was read), the handshake in flight fails with the context's
			// error after closing the TCP connection (addTLS).
			if err == nil || !(errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
				return
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			if ci := rs.dialing; ci != nil && ci.requestsServed == 0 && ci.pendingClose {
				ci.pendingClose = false
				r.reasons["dial_canceled"]++
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			r.mu.Lock()
			defer r.mu.Unlock()
			conn := info.Conn
			if tc, ok := conn.(*tls.Conn); ok {
				conn = tc.NetConn() // our trackedConn under the TLS layer
			}
			ci := r.byNetConn[conn]
			if ci == nil {
				return
			}
			ci.state = stActive
			ci.putErr = nil
			ci.respClose = false
			ci.bodyEarly = false
			ci.reqErr = ""
			ci.readErrActive = false
			ci.bodyLeaked = false
			ci.requestsServed++
			rs.conn = ci
			r.gets++
			if info.Reused {
				r.reused++
				if !info.WasIdle {
					r.handoffs++
				}
			} else {
				r.fresh++
			}
			reused, wasIdle := info.Reused, info.WasIdle
			r.addEventLocked(event{Type: "GotConn", Conn: ci.id, Req: rs.id, Reused: &reused, WasIdle: &wasIdle})
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.addEventLocked(event{Type: "WroteRequest", Conn: connID(rs.conn), Req: rs.id})
		},
		GotFirstResponseByte: func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.addEventLocked(event{Type: "GotFirstResponseByte", Conn: connID(rs.conn), Req: rs.id})
		},
		PutIdleConn: func(err error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			e := event{Type: "PutIdleConn", Conn: connID(rs.conn), Req: rs.id}
			if ci := rs.conn; ci != nil {
				if err == nil {
					ci.state = stIdle
					ci.idleSince = time.Now()
					ci.readEOFIdle = false
				} else {
					ci.putErr = err
					e.Reason = putErrKey(err)
				}
			}
			r.addEventLocked(e)
		},
	}
}

type reqStateKey struct{}

// checkRedirect is http.Client's default rule (defaultCheckRedirect), counting
// the hops it lets through; the next hop's GetConn starts a new attempt count.
// Client.do then reads at most 2 KiB of the redirect's body and closes it, which
// closes the connection unless that reached EOF: such a close is body_not_read.
func (r *recorder) checkRedirect(req *http.Request, via []*http.Request) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rs, _ := req.Context().Value(reqStateKey{}).(*reqState)
	if rs != nil && rs.conn != nil && req.Response != nil && req.Response.ContentLength != 0 {
		rs.conn.bodyEarly = true
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	r.redirects++
	if rs != nil {
		rs.getConns = 0
	}
	return nil
}

func connID(ci *connInfo) int64 {
	if ci == nil {
		return 0
	}
	return ci.id
}

func putErrKey(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "too many idle connections for host"):
		return "too_many_idle_host"
	case strings.Contains(s, "CloseIdleConnections"):
		return "transport_closed"
	case strings.Contains(s, "bad state"):
		return "conn_broken"
	}
	return s
}

func errorKind(err error, o *options) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "timeout awaiting response headers"):
		return "response_header_timeout"
	case strings.Contains(s, "while reading body"):
		// Do succeeded; Client.Timeout fired while the caller read the body.
		return "client_timeout_reading_body"
	case strings.Contains(s, "Client.Timeout"):
		return "client_timeout"
	case strings.Contains(s, "stopped after 10 redirects"):
		return "too_many_redirects"
	case strings.Contains(s, "failed to parse Location header") ||
		strings.Contains(s, "unsupported protocol scheme"):
		return "redirect_error"
	case strings.Contains(s, "connection refused") || strings.Contains(s, "dial tcp"):
		return "dial_failed"
	case strings.Contains(s, "malformed HTTP"):
		return "protocol_error"
	}
	return "read_error"
}

// ---------------------------------------------------------------- latency

type latencies struct {
	mu sync.Mutex
	v  []float64 // milliseconds; bounded by the request count, which is bounded
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	if len(l.v) < 10000000 {
		l.v = append(l.v, float64(d.Nanoseconds())/1e6)
	}
	l.mu.Unlock()
}

func (l *latencies) summary() map[string]float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]float64{"p50": 0, "p90": 0, "p99": 0, "max": 0}
	if len(l.v) == 0 {
		return out
	}
	s := append([]float64(nil), l.v...)
	sort.Float64s(s)
	q := func(p float64) float64 {
		i := int(p*float64(len(s))+0.5) - 1
		if i < 0 {
			i = 0
		}
		if i >= len(s) {
			i = len(s) - 1
		}
		return s[i]
	}
	out["p50"], out["p90"], out["p99"], out["max"] = q(0.50), q(0.90), q(0.99), s[len(s)-1]
	return out
}

// ---------------------------------------------------------------- load

// closeKey is the close reason a request error gives its connection (the
// request's kind, except where two kinds close a connection the same way).
func closeKey(kind string) string {
	if kind == "client_timeout_reading_body" {
		return "client_timeout"
	}
	return kind
}

type result struct {
	mu           sync.Mutex
	requests     int64
	errors       int64
	responses    int64 // Do returned a response (err == nil)
	errorsByKind map[string]int64
	lastError    string
}

func buildTransport(o *options, r *recorder) *http.Transport {
	t := &http.Transport{}
	if o.defaults == "go" {
		t.MaxIdleConns = 100
		t.IdleConnTimeout = 90 * time.Second
		t.TLSHandshakeTimeout = 10 * time.Second
		t.ExpectContinueTimeout = 1 * time.Second
		if !o.set["dial-timeout"] {
			o.dialTimeout = 30 * time.Second
		}
		if !o.set["keep-alive"] {
			o.keepAlive = 30 * time.Second
		}
	} else if o.defaults != "zero" {
		fail("invalid value %q for --defaults: want go or zero", o.defaults)
	}
	if o.set["max-idle-conns"] {
		t.MaxIdleConns = o.maxIdleConns
	}
	if o.set["idle-conn-timeout"] {
		t.IdleConnTimeout = o.idleConnTimeout
	}
	if o.set["tls-handshake-timeout"] {
		t.TLSHandshakeTimeout = o.tlsHandshakeTimeout
	}
	if o.set["expect-continue-timeout"] {
		t.ExpectContinueTimeout = o.expectContinueTimeout
	}
	o.idleConnTimeout = t.IdleConnTimeout
	t.MaxIdleConnsPerHost = o.maxIdleConnsPerHost
	t.MaxConnsPerHost = o.maxConnsPerHost
	t.DisableKeepAlives = o.disableKeepAlives
	t.ResponseHeaderTimeout = o.responseHeaderTimeout
	t.ForceAttemptHTTP2 = false
	if o.insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	t.DialContext = r.dialer(o)
	return configureHTTPS(o, r, t) // https.go
}

func doRequest(o *options, client *http.Client, r *recorder, res *result, lat *latencies, url string, c caller) int64 {
	body, policy := c.body, c.policy
	rs := &reqState{}
	ctx := httptrace.WithClientTrace(context.WithValue(context.Background(), reqStateKey{}, rs), r.trace(rs))
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, url, rd)
	if err != nil {
		fail("bad request: %v", err)
	}
	for _, h := range o.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			fail("invalid value %q for --header: want Name: value", h)
		}
		req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	begin := time.Now()
	resp, err := client.Do(req)
	if err == nil {
		countProto(resp) // https.go
		res.mu.Lock()
		res.responses++
		res.mu.Unlock()
		r.mu.Lock()
		if rs.conn != nil {
			rs.conn.respClose = resp.Close
		}
		r.mu.Unlock()
		switch policy {
		case "read":
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		case "close-early":
			if resp.ContentLength != 0 {
				r.mu.Lock()
				if rs.conn != nil {
					rs.conn.bodyEarly = true
				}
				r.mu.Unlock()
			}
			resp.Body.Close()
		case "leak":
			if resp.Body != http.NoBody {
				r.mu.Lock()
				if rs.conn != nil {
					rs.conn.bodyLeaked = true
				}
				r.mu.Unlock()
			}
		default:
			fail("invalid value %q for --body-policy: want read, close-early or leak", policy)
		}
	}
	lat.add(time.Since(begin))
	res.mu.Lock()
	res.requests++
	if err != nil {
		kind := errorKind(err, o)
		res.errors++
		res.errorsByKind[kind]++
		res.lastError = err.Error()
		r.mu.Lock()
		if ci := rs.conn; ci != nil {
			if ci.state != stClosed {
				ci.reqErr = closeKey(kind)
			} else if ci.pendingClose {
				ci.pendingClose = false
				r.reasons[closeKey(kind)]++
			}
		}
		r.mu.Unlock()
	}
	res.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	return rs.id
}

// traceThink records a worker's time.Sleep (--trace-think): when it began, after which
// request, and when the goroutine ran again.
func (r *recorder) traceThink(typ string, w int, req int64) {
	if !r.opt.traceThink {
		return
	}
	r.mu.Lock()
	r.addEventLocked(event{Type: typ, Req: req, Worker: w + 1})
	r.mu.Unlock()
}

func runLoad(o *options) {
	if len(o.urls) == 0 {
		fail("--url is required")
	}
	if o.workers < 1 {
		fail("invalid value for --workers: want >= 1")
	}
	if o.requests == 0 && o.duration == 0 {
		o.duration = 10 * time.Second
	}
	r := newRecorder(o)
	t := buildTransport(o, r)
	client := &http.Client{Transport: t, Timeout: o.timeout, CheckRedirect: r.checkRedirect}
	res := &result{errorsByKind: map[string]int64{}}
	lat := &latencies{}
	body := bytes.Repeat([]byte("x"), o.bodySize)
	deadline := time.Time{}
	if o.duration > 0 {
		deadline = r.start.Add(o.duration)
	}
	more := func(done int) bool {
		if o.requests > 0 && done >= o.requests {
			return false
		}
		return deadline.IsZero() || time.Now().Before(deadline)
	}
	var wg sync.WaitGroup
	if o.lockstep {
		for round := 0; more(round); round++ {
			if round > 0 && o.think > 0 {
				time.Sleep(o.think)
			}
			for w := 0; w < o.workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					doRequest(o, client, r, res, lat, o.urls[w%len(o.urls)], callerOf(o, w, body))
				}(w)
			}
			wg.Wait()
		}
	} else if o.rate > 0 {
		runPaced(o, deadline, more, func(w int) {
			doRequest(o, client, r, res, lat, o.urls[w%len(o.urls)], callerOf(o, w, body))
		})
	} else {
		for w := 0; w < o.workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				var last int64
				for done := 0; more(done); done++ {
					if done > 0 && o.think > 0 {
						r.traceThink("ThinkStart", w, last)
						time.Sleep(o.think)
						r.traceThink("ThinkEnd", w, last)
					}
					last = doRequest(o, client, r, res, lat, o.urls[w%len(o.urls)], callerOf(o, w, body))
				}
			}(w)
		}
		wg.Wait()
	}
	loadEnd := time.Now()
	// Go closes connections from its readLoop goroutines, a little after the
	// caller saw the body's EOF: let those closes land before counting, the way
	// our engine's final snapshot follows its own (synchronous) closes.
	settle := 30 * time.Millisecond
	if o.linger > 0 {
		time.Sleep(o.linger)
	}
	for i := 0; i < 50; i++ {
		r.mu.Lock()
		quiet := time.Since(r.lastClose) >= settle
		r.mu.Unlock()
		if quiet {
			break
		}
		time.Sleep(settle / 3)
	}
	r.mu.Lock()
	r.reporting = true
	idle := 0
	for _, ci := range r.conns {
		if ci.state == stIdle {
			idle++
		}
		if ci.pendingClose {
			r.reasons["other"]++
		}
	}
	out := map[string]interface{}{}
	conns := r.dials - r.dialFailures
	out["target"] = strings.Join(o.urls, ",")
	out["requests"] = res.requests
	out["errors"] = res.errors
	out["responses"] = res.responses
	out["canceled"] = 0
	out["dials"] = r.dials
	out["dial_failures"] = r.dialFailures
	out["reused"] = r.reused
	out["fresh"] = r.fresh
	out["retries"] = r.retries
	out["redirects"] = r.redirects
	out["idle_handoffs"] = r.handoffs
	out["closed"] = r.closed
	out["open_at_end"] = conns - r.closed
	out["idle_at_end"] = idle
	rpc := 0.0
	if conns > 0 {
		rpc = float64(r.gets) / float64(conns)
	}
	out["req_per_conn"] = rpc
	secs := loadEnd.Sub(r.start).Seconds()
	out["duration_s"] = secs
	out["rps"] = float64(res.requests) / secs
	out["close_reasons"] = r.reasons
	out["errors_by_kind"] = res.errorsByKind
	out["latency_ms"] = lat.summary()
	if res.lastError != "" {
		out["last_error"] = res.lastError
	}
	out["go_version"] = runtime.Version()
	addHTTPSOutput(out) // https.go
	events := r.events
	r.mu.Unlock()
	t.CloseIdleConnections()

	if o.events != "" {
		f, err := os.Create(o.events)
		if err != nil {
			fail("cannot write events to %s: %v", o.events, err)
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		for _, e := range events {
			enc.Encode(e)
		}
		w.Flush()
		f.Close()
	}
	b, _ := json.Marshal(out)
	if o.jsonOut {
		fmt.Println(string(b))
	} else {
		var pretty bytes.Buffer
		json.Indent(&pretty, b, "", "  ")
		fmt.Println(pretty.String())
	}
}

// ---------------------------------------------------------------- pacing

// caller is what worker w sends and does with its response bodies.
type caller struct {
	method string
	body   []byte
	policy string
}

// callerOf is worker w's caller: the mixed share (floor((w+1)*share) > floor(w*share),
// spread evenly as PoolScope's WorkerScheduler::isMixedWorker) uses --mix-body-policy and
// --mix-method, sending no body when that is GET or HEAD in a run of another method
// (PoolScope's LoadConfig::mixedRequestBodySize).
func callerOf(o *options, w int, body []byte) caller {
	if !(o.mixShare >= 1 || (o.mixShare > 0 && math.Floor(float64(w+1)*o.mixShare) > math.Floor(float64(w)*o.mixShare))) {
		return caller{o.method, body, o.bodyPolicy}
	}
	c := caller{o.method, body, o.mixBodyPolicy}
	if o.mixMethod != "" && o.mixMethod != o.method {
		c.method = o.mixMethod
		if c.method == "GET" || c.method == "HEAD" {
			c.body = nil
		}
	}
	return c
}

// preciseSleepUntil waits until t to the tens of microseconds: a nanosleep on a locked
// thread, not time.Sleep, whose wait an idle runtime rounds to whole milliseconds
// (netpoll's epoll timeout). Used for arrivals from outside, which no Go timer bunches.
func preciseSleepUntil(t time.Time) {
	for d := time.Until(t); d > 0; d = time.Until(t) {
		ts := syscall.NsecToTimespec(d.Nanoseconds())
		syscall.Nanosleep(&ts, nil)
	}
}

// runPaced runs the workers at --rate, paced as --arrivals says:
//   - go: the way a Go user paces each worker: interval = workers / rate, next starts at
//     the worker's start, and each request waits with time.Sleep(time.Until(next)),
//     then next = next.Add(interval) (a late worker catches up without sleeping).
//   - exact, poisson: one arrival stream over all workers, as traffic from outside: a
//     dispatcher waits precisely for each arrival and hands it to the next free worker
//     (an unbuffered channel). When none is free, exact slots wait (next arrival = when
//     one took it + the gap), as PoolScope's shared slots do; Poisson arrivals queue (the
//     stream keeps its times and the late ones go out back to back).
func runPaced(o *options, deadline time.Time, more func(int) bool, do func(w int)) {
	var wg sync.WaitGroup
	switch o.arrivals {
	case "go":
		interval := time.Duration(float64(time.Second) * float64(o.workers) / o.rate)
		for w := 0; w < o.workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				next := time.Now()
				for done := 0; more(done); done++ {
					due := next
					if done > 0 && o.think > 0 && time.Now().Add(o.think).After(due) {
						due = time.Now().Add(o.think)
					}
					if !deadline.IsZero() && due.After(deadline) {
						due = deadline // woken by the run's end, not to send
					}
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
					if !deadline.IsZero() && !time.Now().Before(deadline) {
						return
					}
					next = next.Add(interval)
					do(w)
				}
			}(w)
		}
		wg.Wait()
	case "exact", "poisson":
		rng := rand.New(rand.NewSource(o.seed))
		gap := func() time.Duration {
			if o.arrivals == "poisson" {
				return time.Duration(rng.ExpFloat64() / o.rate * 1e9)
			}
			return time.Duration(1e9 / o.rate)
		}
		arrivals := make(chan struct{})
		stop := make(chan struct{})
		var stopOnce sync.Once
		var busy int32 // workers inside a request
		end := func() { stopOnce.Do(func() { close(stop) }) }
		for w := 0; w < o.workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for done := 0; more(done); done++ {
					if done > 0 && o.think > 0 {
						time.Sleep(o.think)
					}
					select {
					case <-arrivals:
					case <-stop:
						return
					}
					atomic.AddInt32(&busy, 1)
					do(w)
					atomic.AddInt32(&busy, -1)
				}
			}(w)
		}
		go func() {
			runtime.LockOSThread()
			next := time.Now()
			for {
				preciseSleepUntil(next)
				if !deadline.IsZero() && !time.Now().Before(deadline) {
					end()
					return
				}
				// exact: a worker free (not inside a request) takes the arrival however
				// late this goroutine or that worker wakes, and the stream keeps its
				// times; none free: the arrival waits for one, and the stream goes on
				// from when it was taken. poisson: outside traffic never waits, the
				// arrivals queue (here: they are handed out late, one after the other).
				allBusy := atomic.LoadInt32(&busy) >= int32(o.workers)
				select {
				case arrivals <- struct{}{}:
				case <-stop:
					return
				}
				if now := time.Now(); o.arrivals == "exact" && allBusy && now.After(next) {
					next = now
				}
				next = next.Add(gap())
			}
		}()
		wg.Wait()
		end()
	default:
		fail("invalid value %q for --arrivals: want go, poisson or exact", o.arrivals)
	}
}

// ---------------------------------------------------------------- stale server

// serveStale answers the first request on each connection with keep-alive and
// closes the connection, without answering, when the second request arrives:
// the client wrote a request on a connection the server had given up on, the
// case where Go retries a replayable request and fails a POST.
func serveStale() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	fmt.Printf("listening on http://%s/\n", ln.Addr().String())
	os.Stdout.Sync()
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			br := bufio.NewReader(c)
			for n := 0; ; n++ {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				if n >= 1 {
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n")
			}
		}(c)
	}
}

func main() {
	o := parseFlags()
	if o.serveStale {
		serveStale()
		return
	}
	runLoad(o)
}
