<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CloseReason</name>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>idle pool full (per host)</source>
        <translation>空闲池已满（每主机）</translation>
    </message>
    <message>
        <source>idle pool full (global LRU)</source>
        <translation>空闲池已满（全局 LRU）</translation>
    </message>
    <message>
        <source>idle timeout</source>
        <translation>空闲超时</translation>
    </message>
    <message>
        <source>server closed idle</source>
        <translation>服务器关闭了空闲连接</translation>
    </message>
    <message>
        <source>Connection: close (server)</source>
        <translation>Connection: close（服务器）</translation>
    </message>
    <message>
        <source>Connection: close (client)</source>
        <translation>Connection: close（客户端）</translation>
    </message>
    <message>
        <source>keep-alives disabled</source>
        <translation>keep-alive 已禁用</translation>
    </message>
    <message>
        <source>body not read to EOF</source>
        <translation>响应体未读到 EOF</translation>
    </message>
    <message>
        <source>read error</source>
        <translation>读错误</translation>
    </message>
    <message>
        <source>write error</source>
        <translation>写错误</translation>
    </message>
    <message>
        <source>dial failed</source>
        <translation>拨号失败</translation>
    </message>
    <message>
        <source>dial timeout</source>
        <translation>拨号超时</translation>
    </message>
    <message>
        <source>TLS handshake timeout</source>
        <translation>TLS 握手超时</translation>
    </message>
    <message>
        <source>TLS error</source>
        <translation>TLS 错误</translation>
    </message>
    <message>
        <source>response header timeout</source>
        <translation>响应头超时</translation>
    </message>
    <message>
        <source>client timeout</source>
        <translation>客户端超时</translation>
    </message>
    <message>
        <source>canceled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>protocol error</source>
        <translation>协议错误</translation>
    </message>
    <message>
        <source>transport closed</source>
        <translation>Transport 已关闭</translation>
    </message>
    <message>
        <source>keep-alive probes unanswered</source>
        <translation>keep-alive 探测无应答</translation>
    </message>
    <message>
        <source>dial aborted (request done)</source>
        <translation>拨号中止（请求已完成）</translation>
    </message>
    <message>
        <source>HTTP/2 GOAWAY</source>
        <translation>HTTP/2 GOAWAY</translation>
    </message>
    <message>
        <source>HTTP/2 idle timeout</source>
        <translation>HTTP/2 空闲超时</translation>
    </message>
    <message>
        <source>HTTP/2 spare dial closed unused</source>
        <translation>HTTP/2 多余拨号未用即关</translation>
    </message>
</context>
<context>
    <name>FailureHint</name>
    <message>
        <source>Nothing listens on that port: check the URL&apos;s host and port, and that the server is running.</source>
        <translation>该端口上没有进程在监听：请检查 URL 的主机和端口，并确认服务器正在运行。</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not signed by a CA this machine trusts (a self-signed test certificate?): turn on InsecureSkipVerify for a test server, or name its CA file in SSL_CERT_FILE, as Go reads it.</source>
        <translation>服务器证书不是由本机信任的 CA 签发的（是自签名的测试证书吗？）：对测试服务器可打开 InsecureSkipVerify，或像 Go 那样在 SSL_CERT_FILE 中指定它的 CA 文件。</translation>
    </message>
    <message>
        <source>The certificate names other hosts: use one of them in the URL.</source>
        <translation>证书上写的是其他主机名：请在 URL 中使用其中之一。</translation>
    </message>
    <message>
        <source>The certificate has expired (or the clock is wrong).</source>
        <translation>证书已过期（或本机时钟不对）。</translation>
    </message>
    <message>
        <source>The host name does not resolve.</source>
        <translation>主机名无法解析。</translation>
    </message>
    <message>
        <source>Nothing answered the connection attempt within Dialer.Timeout: a wrong address, or a firewall dropping the packets.</source>
        <translation>在 Dialer.Timeout 内没有任何应答：可能是地址错误，或者防火墙丢弃了数据包。</translation>
    </message>
</context>
<context>
    <name>Knob</name>
    <message>
        <source>Go runtime</source>
        <translation>Go 运行时</translation>
    </message>
    <message>
        <source>precise</source>
        <translation>精确</translation>
    </message>
    <message>
        <source>Go 1.19 (the referee)</source>
        <translation>Go 1.19（基准）</translation>
    </message>
    <message>
        <source>Go 1.23 rules</source>
        <translation>Go 1.23 规则</translation>
    </message>
    <message>
        <source>Go workers (time.Sleep)</source>
        <translation>Go worker（time.Sleep）</translation>
    </message>
    <message>
        <source>Poisson (outside traffic)</source>
        <translation>泊松（外部流量）</translation>
    </message>
    <message>
        <source>exact slots</source>
        <translation>精确时隙</translation>
    </message>
    <message>
        <source>read to EOF</source>
        <translation>读到 EOF</translation>
    </message>
    <message>
        <source>close early</source>
        <translation>提前关闭</translation>
    </message>
    <message>
        <source>leak (never close)</source>
        <translation>泄漏（从不关闭）</translation>
    </message>
    <message>
        <source>none (well-behaved)</source>
        <translation>无（行为正常）</translation>
    </message>
    <message>
        <source>random bytes</source>
        <translation>随机字节</translation>
    </message>
    <message>
        <source>truncated headers, then close</source>
        <translation>截断的响应头，然后关闭</translation>
    </message>
    <message>
        <source>truncated body, then close</source>
        <translation>截断的响应体，然后关闭</translation>
    </message>
    <message>
        <source>Content-Length longer than the body</source>
        <translation>Content-Length 比响应体长</translation>
    </message>
    <message>
        <source>Content-Length shorter than the body</source>
        <translation>Content-Length 比响应体短</translation>
    </message>
    <message>
        <source>bad chunk size</source>
        <translation>错误的 chunk 大小</translation>
    </message>
    <message>
        <source>huge headers (10 MiB + 8 KiB)</source>
        <translation>超大响应头（10 MiB + 8 KiB）</translation>
    </message>
    <message>
        <source>trickled headers (1 byte / 10 ms)</source>
        <translation>慢速发送响应头（1 字节 / 10 ms）</translation>
    </message>
    <message>
        <source>trickled body (1 byte / 10 ms)</source>
        <translation>慢速发送响应体（1 字节 / 10 ms）</translation>
    </message>
    <message>
        <source>RST instead of an answer</source>
        <translation>用 RST 代替应答</translation>
    </message>
    <message>
        <source>RST in the middle of the body</source>
        <translation>在响应体中途发 RST</translation>
    </message>
    <message>
        <source>never answer</source>
        <translation>从不应答</translation>
    </message>
    <message>
        <source>1xx storm (ten 103s)</source>
        <translation>1xx 风暴（10 个 103）</translation>
    </message>
    <message>
        <source>Content-Length and Transfer-Encoding: chunked</source>
        <translation>同时带 Content-Length 和 Transfer-Encoding: chunked</translation>
    </message>
    <message>
        <source>two different Content-Lengths</source>
        <translation>两个不同的 Content-Length</translation>
    </message>
    <message>
        <source>Idle connections kept across all hosts; beyond it the oldest idle one is closed (errTooManyIdle).</source>
        <translation>所有主机合计保留的空闲连接数；超出时关闭最旧的空闲连接（errTooManyIdle）。</translation>
    </message>
    <message>
        <source>0 = no limit across hosts</source>
        <translation>0 = 不限制所有主机的总数</translation>
    </message>
    <message>
        <source>Idle connections kept per host. A connection returned when the host already has this many idle is closed (errTooManyIdleHost): the cause of the TIME_WAIT storm.</source>
        <translation>每个主机保留的空闲连接数。连接归还时若该主机已有这么多空闲连接，它就会被关闭（errTooManyIdleHost）：这正是 TIME_WAIT 风暴的起因。</translation>
    </message>
    <message>
        <source>0 means 2 (DefaultMaxIdleConnsPerHost)</source>
        <translation>0 表示 2（DefaultMaxIdleConnsPerHost）</translation>
    </message>
    <message>
        <source>negative: never keep a connection idle</source>
        <translation>负数：从不保留空闲连接</translation>
    </message>
    <message>
        <source>Dialing + active + idle connections per host. Requests beyond it wait for a connection or a dial slot.</source>
        <translation>每个主机的拨号中 + 活跃 + 空闲连接数。超出的请求要等待一个连接或拨号名额。</translation>
    </message>
    <message>
        <source>0 = unlimited</source>
        <translation>0 = 不限制</translation>
    </message>
    <message>
        <source>How long a connection may sit idle in the pool before it is closed.</source>
        <translation>连接在池中空闲多久后被关闭。</translation>
    </message>
    <message>
        <source>0 = idle connections never time out</source>
        <translation>0 = 空闲连接永不超时</translation>
    </message>
    <message>
        <source>Send &quot;Connection: close&quot; and use every connection for one request.</source>
        <translation>发送 &quot;Connection: close&quot;，每个连接只用于一个请求。</translation>
    </message>
    <message>
        <source>Time from the request being written to the response headers.</source>
        <translation>从请求写完到收到响应头的时间。</translation>
    </message>
    <message>
        <source>0 = no timeout</source>
        <translation>0 = 不超时</translation>
    </message>
    <message>
        <source>Limit for the TLS handshake of a new connection.</source>
        <translation>新连接 TLS 握手的时间上限。</translation>
    </message>
    <message>
        <source>With &quot;Expect: 100-continue&quot;, how long to wait for the server&apos;s go-ahead before sending the body.</source>
        <translation>使用 &quot;Expect: 100-continue&quot; 时，发送请求体前等待服务器许可的时间。</translation>
    </message>
    <message>
        <source>0 = send the body at once</source>
        <translation>0 = 立即发送请求体</translation>
    </message>
    <message>
        <source>Limit on the response status line and headers. A bigger head fails the request (&quot;server response headers exceeded N bytes; aborted&quot;).</source>
        <translation>响应状态行和响应头的大小上限。更大的头部会让请求失败（&quot;server response headers exceeded N bytes; aborted&quot;）。</translation>
    </message>
    <message>
        <source>0 means 10 MiB (Go&apos;s client default)</source>
        <translation>0 表示 10 MiB（Go 客户端的默认值）</translation>
    </message>
    <message>
        <source>Off: ask for gzip (&quot;Accept-Encoding: gzip&quot;) and decode gzip bodies transparently, as Go does. On: ask for nothing.</source>
        <translation>关：请求 gzip（&quot;Accept-Encoding: gzip&quot;）并像 Go 一样透明解压 gzip 响应体。开：什么都不请求。</translation>
    </message>
    <message>
        <source>Offer HTTP/2 by ALPN to HTTPS targets even with a custom dialer or TLS config, which otherwise turn it off in Go. DefaultTransport sets it; a zero Transport{} does not (but attempts HTTP/2 while it has no dialer or TLS config of its own). Cleartext http:// always speaks HTTP/1.1.</source>
        <translation>即使使用了自定义 dialer 或 TLS 配置（在 Go 中它们会关掉 HTTP/2），也通过 ALPN 向 HTTPS 目标提供 HTTP/2。DefaultTransport 设置了它；零值 Transport{} 没有设置（但只要没有自己的 dialer 或 TLS 配置，仍会尝试 HTTP/2）。明文 http:// 始终使用 HTTP/1.1。</translation>
    </message>
    <message>
        <source>Turn HTTP/2 off the way Go documents it: a non-nil, empty TLSNextProto map. HTTPS targets then speak HTTP/1.1, one request per connection at a time, with a TLS handshake per dial.</source>
        <translation>按 Go 文档的方式关闭 HTTP/2：一个非 nil 的空 TLSNextProto map。这样 HTTPS 目标就使用 HTTP/1.1，每个连接同一时间只承载一个请求，每次拨号都要做一次 TLS 握手。</translation>
    </message>
    <message>
        <source>HTTP/2: when a connection has the server&apos;s SETTINGS_MAX_CONCURRENT_STREAMS streams open, wait for one to end instead of dialing another connection. In Go 1.19 a field of golang.org/x/net/http2.Transport, reachable only through http2.ConfigureTransports(t) (the Go snippet says so). HTTP/2 health pings (ReadIdleTimeout, PingTimeout) are not modelled.</source>
        <translation>HTTP/2：当一个连接上打开的流已达服务器的 SETTINGS_MAX_CONCURRENT_STREAMS 时，等待某个流结束，而不是再拨一个连接。在 Go 1.19 中这是 golang.org/x/net/http2.Transport 的字段，只能通过 http2.ConfigureTransports(t) 访问（Go 代码片段里有说明）。HTTP/2 健康检查 ping（ReadIdleTimeout、PingTimeout）未建模。</translation>
    </message>
    <message>
        <source>Accept any server certificate. Needed for the embedded server&apos;s HTTPS test certificate; never in production.</source>
        <translation>接受任何服务器证书。内置服务器的 HTTPS 测试证书需要它；切勿用于生产环境。</translation>
    </message>
    <message>
        <source>Limit for establishing a TCP connection.</source>
        <translation>建立 TCP 连接的时间上限。</translation>
    </message>
    <message>
        <source>0 = no timeout (the OS limit applies)</source>
        <translation>0 = 不超时（以操作系统的上限为准）</translation>
    </message>
    <message>
        <source>TCP keep-alive period of new connections (idle time before the first probe).</source>
        <translation>新连接的 TCP keep-alive 周期（第一次探测前的空闲时间）。</translation>
    </message>
    <message>
        <source>0 means 15 s (Go&apos;s default)</source>
        <translation>0 表示 15 s（Go 的默认值）</translation>
    </message>
    <message>
        <source>negative: TCP keep-alive off</source>
        <translation>负数：关闭 TCP keep-alive</translation>
    </message>
    <message>
        <source>Use Idle, Interval and Count below instead of Dialer.KeepAlive (Go 1.23+).</source>
        <translation>使用下面的 Idle、Interval 和 Count，而不是 Dialer.KeepAlive（Go 1.23+）。</translation>
    </message>
    <message>
        <source>Idle time before the first keep-alive probe (TCP_KEEPIDLE).</source>
        <translation>第一次 keep-alive 探测前的空闲时间（TCP_KEEPIDLE）。</translation>
    </message>
    <message>
        <source>0 means 15 s</source>
        <translation>0 表示 15 s</translation>
    </message>
    <message>
        <source>negative: kernel default</source>
        <translation>负数：内核默认值</translation>
    </message>
    <message>
        <source>Time between unanswered probes (TCP_KEEPINTVL).</source>
        <translation>两次无应答探测之间的间隔（TCP_KEEPINTVL）。</translation>
    </message>
    <message>
        <source>Unanswered probes before the kernel drops the connection (TCP_KEEPCNT).</source>
        <translation>内核断开连接前允许的无应答探测次数（TCP_KEEPCNT）。</translation>
    </message>
    <message>
        <source>0 means 9</source>
        <translation>0 表示 9</translation>
    </message>
    <message>
        <source>Limit for a whole exchange: dial, headers and body.</source>
        <translation>一次完整交互（拨号、响应头和响应体）的时间上限。</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Target URL (http:// or https://). Repeat --url for several hosts (several pool keys): worker i loads URL i mod n; a scenario file holds them as an array.</source>
        <translation>目标 URL（http:// 或 https://）。多次使用 --url 可指定多个主机（多个连接池键）：第 i 个 worker 请求第 i mod n 个 URL；场景文件中以数组保存。</translation>
    </message>
    <message>
        <source>empty = the embedded server</source>
        <translation>留空 = 内置服务器</translation>
    </message>
    <message>
        <source>workers</source>
        <translation>worker 数</translation>
    </message>
    <message>
        <source>Goroutines calling the target in a loop (closed loop).</source>
        <translation>循环调用目标的 goroutine（闭环）。</translation>
    </message>
    <message>
        <source>requests per worker</source>
        <translation>每个 worker 的请求数</translation>
    </message>
    <message>
        <source>Each worker stops after this many requests.</source>
        <translation>每个 worker 发完这么多请求后停止。</translation>
    </message>
    <message>
        <source>0 = bounded by the run length only</source>
        <translation>0 = 只受运行时长限制</translation>
    </message>
    <message>
        <source>run length</source>
        <translation>运行时长</translation>
    </message>
    <message>
        <source>The run stops by itself after this long.</source>
        <translation>运行到这么久后自动停止。</translation>
    </message>
    <message>
        <source>0 = bounded by requests per worker only</source>
        <translation>0 = 只受每个 worker 的请求数限制</translation>
    </message>
    <message>
        <source>rate</source>
        <translation>速率</translation>
    </message>
    <message>
        <source>Requests per second over all workers.</source>
        <translation>所有 worker 合计每秒的请求数。</translation>
    </message>
    <message>
        <source>0 = closed loop, no rate limit</source>
        <translation>0 = 闭环，不限速</translation>
    </message>
    <message>
        <source>think time</source>
        <translation>思考时间</translation>
    </message>
    <message>
        <source>Each worker pauses this long after a response; its connection sits in the pool meanwhile. With no pause, PoolScope runs every caller on one thread, like a Go program with GOMAXPROCS=1; Go on several cores closes and dials more than that (tests/conformance, the no-think rows).</source>
        <translation>每个 worker 收到响应后暂停这么久；其间它的连接放在池中。没有暂停时，PoolScope 在一个线程上运行所有调用方，就像 GOMAXPROCS=1 的 Go 程序；多核上的 Go 会关闭和拨号得更多（见 tests/conformance 中无思考时间的几行）。</translation>
    </message>
    <message>
        <source>0 = back to back, no pause: fewer new connections than Go would dial on a machine with several cores</source>
        <translation>0 = 连续请求，不暂停：新建的连接比多核机器上的 Go 少</translation>
    </message>
    <message>
        <source>timers</source>
        <translation>定时器</translation>
    </message>
    <message>
        <source>How think time wakes a worker. Go runtime: like time.Sleep in a Go program, in whole milliseconds (a 1 ms think sleeps about 1-2 ms). Precise: to the nanosecond. Go-paced rate slots (arrivals go) wake the same way.</source>
        <translation>思考时间如何唤醒 worker。Go 运行时：和 Go 程序中的 time.Sleep 一样，以整毫秒计（1 ms 的思考时间实际约睡 1-2 ms）。精确：精确到纳秒。按 Go 方式定速的时隙（arrivals go）也以同样方式唤醒。</translation>
    </message>
    <message>
        <source>Go version</source>
        <translation>Go 版本</translation>
    </message>
    <message>
        <source>Which Go&apos;s net/http rules to model where releases differ (README, Which Go). 1.19, the referee: a dial runs under its request&apos;s context, so when another connection serves the request first and Client.Timeout&apos;s cancel ends that context, the dial in flight is aborted (closed as dial aborted, a TLS handshake dies). Dialer.KeepAlive sets both the idle time and the probe interval, the probe count is the kernel&apos;s. 1.23: the dial is detached from the request&apos;s cancellation (golang/go#59017) and completes into the pool; Dialer.KeepAlive sets the idle time only (interval 15 s, 9 probes, net.KeepAliveConfig).</source>
        <translation>在各版本行为不同之处按哪个 Go 版本的 net/http 规则建模（见 README 的 Which Go）。1.19，基准：拨号在其请求的 context 下进行，所以当另一个连接先服务了该请求、Client.Timeout 的 cancel 结束了这个 context 时，进行中的拨号会被中止（以“拨号中止”关闭，TLS 握手随之中断）。Dialer.KeepAlive 同时设定空闲时间和探测间隔，探测次数用内核的。1.23：拨号与请求的取消解耦（golang/go#59017），完成后放入连接池；Dialer.KeepAlive 只设定空闲时间（间隔 15 s，9 次探测，net.KeepAliveConfig）。</translation>
    </message>
    <message>
        <source>arrivals</source>
        <translation>到达方式</translation>
    </message>
    <message>
        <source>How paced requests arrive when a rate is set (the rate is the mean in every model). go: like a Go program where each worker sleeps (time.Sleep) until its own next slot, one every workers/rate seconds from the start; the workers&apos; slots coincide, so they wake and send together, and Go&apos;s millisecond timers bunch them further. poisson: traffic from outside, random gaps between requests (exponential, from the seed), the next free worker takes the next request. exact: evenly spaced slots over all workers, to the nanosecond, the least bursty arrival there is and the one that dials least at a high rate.</source>
        <translation>设定速率后，定速请求如何到达（每种模型的平均速率都等于设定值）。go：像每个 worker 都 sleep（time.Sleep）到自己下一个时隙的 Go 程序，从开始起每 workers/rate 秒一个；各 worker 的时隙重合，所以它们一起醒来、一起发送，Go 的毫秒级定时器还会让它们更扎堆。poisson：来自外部的流量，请求间隔随机（指数分布，由种子决定），下一个空闲的 worker 接下一个请求。exact：所有 worker 共用均匀分布的时隙，精确到纳秒，是突发最少的到达方式，也是高速率下拨号最少的一种。</translation>
    </message>
    <message>
        <source>load seed</source>
        <translation>负载随机种子</translation>
    </message>
    <message>
        <source>Seed of the load&apos;s random draws (the gaps of Poisson arrivals): the same seed and rate give the same arrival times.</source>
        <translation>负载随机数的种子（泊松到达的间隔）：种子和速率相同，到达时间就相同。</translation>
    </message>
    <message>
        <source>GOMAXPROCS</source>
        <translation>GOMAXPROCS</translation>
    </message>
    <message>
        <source>Engine threads, like Go&apos;s GOMAXPROCS: callers and connections spread over them, one pool shared under a lock. 1 is one event loop, like a Go program with GOMAXPROCS=1; Go&apos;s default is the number of CPUs. Experimental above 1: measured against Go in tests/conformance/gomaxprocs.md, it does not yet reproduce Go&apos;s churn with no think time. Applies at the next start. HTTPS targets with HTTP/2 attempted run on one loop (the HTTP/2 code is single-threaded).</source>
        <translation>引擎线程数，类似 Go 的 GOMAXPROCS：调用方和连接分布在这些线程上，共享一个加锁的连接池。1 是单个事件循环，类似 GOMAXPROCS=1 的 Go 程序；Go 的默认值是 CPU 数。大于 1 属实验性：已在 tests/conformance/gomaxprocs.md 中与 Go 对比测量，尚未重现 Go 在无思考时间时的频繁建连。下次启动时生效。尝试 HTTP/2 的 HTTPS 目标只在一个循环上运行（HTTP/2 代码是单线程的）。</translation>
    </message>
    <message>
        <source>method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>HTTP method. GET and HEAD are retried on a stale connection; POST is not.</source>
        <translation>HTTP 方法。GET 和 HEAD 在失效连接上会重试；POST 不会。</translation>
    </message>
    <message>
        <source>request body size</source>
        <translation>请求体大小</translation>
    </message>
    <message>
        <source>Bytes in each request body.</source>
        <translation>每个请求体的字节数。</translation>
    </message>
    <message>
        <source>0 = no body</source>
        <translation>0 = 无请求体</translation>
    </message>
    <message>
        <source>Expect: 100-continue</source>
        <translation>Expect: 100-continue</translation>
    </message>
    <message>
        <source>Send &quot;Expect: 100-continue&quot; with request bodies (ExpectContinueTimeout applies).</source>
        <translation>带请求体时发送 &quot;Expect: 100-continue&quot;（ExpectContinueTimeout 生效）。</translation>
    </message>
    <message>
        <source>headers</source>
        <translation>请求头</translation>
    </message>
    <message>
        <source>Header fields sent with every request, &quot;Name: value&quot; (repeat --header for more; one per line in a scenario file). An Idempotency-Key or X-Idempotency-Key makes a POST replayable: Go retries it when a reused connection fails.</source>
        <translation>每个请求都带的头部字段，格式为 &quot;Name: value&quot;（多个用多次 --header；场景文件中每行一个）。带 Idempotency-Key 或 X-Idempotency-Key 的 POST 可重放：复用的连接失败时 Go 会重试它。</translation>
    </message>
    <message>
        <source>empty = none</source>
        <translation>留空 = 无</translation>
    </message>
    <message>
        <source>body policy</source>
        <translation>响应体处理</translation>
    </message>
    <message>
        <source>read: io.ReadAll then Close (reusable). close-early: Close without reading, Go closes the connection. leak: never Close, the connection stays busy for good.</source>
        <translation>read：io.ReadAll 后 Close（连接可复用）。close-early：不读就 Close，Go 会关闭连接。leak：从不 Close，连接永远处于占用状态。</translation>
    </message>
    <message>
        <source>mixed callers</source>
        <translation>混合调用方</translation>
    </message>
    <message>
        <source>Share of the workers that treat their response bodies by the mixed body policy instead of the body policy, spread evenly over the workers (&quot;some callers forget to close the body&quot;: 0.1 with mixed body policy leak).</source>
        <translation>按“混合响应体处理”而不是“响应体处理”对待响应体的 worker 比例，均匀分布在各 worker 中（“有些调用方忘了关闭响应体”：0.1，配合混合响应体处理 leak）。</translation>
    </message>
    <message>
        <source>0 = every worker follows the body policy</source>
        <translation>0 = 所有 worker 都按响应体处理方式</translation>
    </message>
    <message>
        <source>mixed body policy</source>
        <translation>混合响应体处理</translation>
    </message>
    <message>
        <source>What the mixed share of the workers does with each response body (read, close-early or leak, as the body policy).</source>
        <translation>混合比例内的 worker 如何处理每个响应体（read、close-early 或 leak，同响应体处理）。</translation>
    </message>
    <message>
        <source>linger</source>
        <translation>延迟结束</translation>
    </message>
    <message>
        <source>Keep the pool alive this long after the load, then take the final snapshot.</source>
        <translation>负载结束后让连接池再保持这么久，然后取最终快照。</translation>
    </message>
    <message>
        <source>0 = snapshot at once</source>
        <translation>0 = 立即取快照</translation>
    </message>
    <message>
        <source>stop when failing</source>
        <translation>失败时停止</translation>
    </message>
    <message>
        <source>Stop the run when every request has failed for this long (a refused port, a rejected certificate): no request succeeded since the first failure that long ago.</source>
        <translation>所有请求连续失败这么久时停止运行（端口拒绝连接、证书被拒）：自这么久以前的第一次失败以来没有一个请求成功。</translation>
    </message>
    <message>
        <source>0 = never stop for failures</source>
        <translation>0 = 从不因失败而停止</translation>
    </message>
    <message>
        <source>listen address</source>
        <translation>监听地址</translation>
    </message>
    <message>
        <source>Address the embedded server listens on: 127.0.0.1 unless you pass another with --listen (0.0.0.0 or :: opens it to other machines). A scenario file can only name a loopback address.</source>
        <translation>内置服务器监听的地址：默认 127.0.0.1，除非用 --listen 指定其他地址（0.0.0.0 或 :: 会向其他机器开放）。场景文件只能指定回环地址。</translation>
    </message>
    <message>
        <source>port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Port the embedded server listens on.</source>
        <translation>内置服务器监听的端口。</translation>
    </message>
    <message>
        <source>0 = a free port</source>
        <translation>0 = 任一空闲端口</translation>
    </message>
    <message>
        <source>server latency</source>
        <translation>服务器延迟</translation>
    </message>
    <message>
        <source>Time the server takes to answer each request.</source>
        <translation>服务器应答每个请求所用的时间。</translation>
    </message>
    <message>
        <source>server jitter</source>
        <translation>服务器抖动</translation>
    </message>
    <message>
        <source>Latency varies uniformly by ± this much.</source>
        <translation>延迟在 ± 这个范围内均匀变化。</translation>
    </message>
    <message>
        <source>header delay</source>
        <translation>响应头延迟</translation>
    </message>
    <message>
        <source>Time before the status line and headers go out (try it with ResponseHeaderTimeout).</source>
        <translation>发出状态行和响应头之前的等待时间（可配合 ResponseHeaderTimeout 试试）。</translation>
    </message>
    <message>
        <source>0 = the head goes out with the body</source>
        <translation>0 = 响应头随响应体一起发出</translation>
    </message>
    <message>
        <source>body size</source>
        <translation>响应体大小</translation>
    </message>
    <message>
        <source>Bytes in each response body.</source>
        <translation>每个响应体的字节数。</translation>
    </message>
    <message>
        <source>status code</source>
        <translation>状态码</translation>
    </message>
    <message>
        <source>Status code of every response. 204 and 304 have no body: Go hands their connection back before Do returns, so even a leaked body costs nothing.</source>
        <translation>每个响应的状态码。204 和 304 没有响应体：Go 在 Do 返回之前就把连接归还了，所以即使泄漏响应体也没有代价。</translation>
    </message>
    <message>
        <source>redirects</source>
        <translation>重定向</translation>
    </message>
    <message>
        <source>Redirect every request this many times (Location: /redirect/1, /redirect/2, ...) before answering it. Go&apos;s http.Client follows each hop as a new pool request and gives up after 10 (&quot;stopped after 10 redirects&quot;).</source>
        <translation>每个请求先重定向这么多次（Location: /redirect/1、/redirect/2、...）再应答。Go 的 http.Client 把每一跳当作一次新的连接池请求，10 次后放弃（&quot;stopped after 10 redirects&quot;）。</translation>
    </message>
    <message>
        <source>0 = no redirects</source>
        <translation>0 = 不重定向</translation>
    </message>
    <message>
        <source>redirect status</source>
        <translation>重定向状态码</translation>
    </message>
    <message>
        <source>Status of the redirects. 301, 302 and 303: the client follows with a GET without body; 307 and 308: with the same method and body; other 3xx are not followed.</source>
        <translation>重定向使用的状态码。301、302 和 303：客户端用不带请求体的 GET 跟随；307 和 308：用相同的方法和请求体；其他 3xx 不跟随。</translation>
    </message>
    <message>
        <source>chunked</source>
        <translation>chunked</translation>
    </message>
    <message>
        <source>Send the body with Transfer-Encoding: chunked instead of Content-Length.</source>
        <translation>用 Transfer-Encoding: chunked 代替 Content-Length 发送响应体。</translation>
    </message>
    <message>
        <source>server idle timeout</source>
        <translation>服务器空闲超时</translation>
    </message>
    <message>
        <source>The server closes a connection idle this long (nginx keepalive_timeout). Shorter than the client&apos;s IdleConnTimeout means stale pooled connections.</source>
        <translation>服务器关闭空闲了这么久的连接（nginx keepalive_timeout）。比客户端的 IdleConnTimeout 短，就意味着池中会有失效连接。</translation>
    </message>
    <message>
        <source>0 = the server never closes idle connections</source>
        <translation>0 = 服务器从不关闭空闲连接</translation>
    </message>
    <message>
        <source>max requests per connection</source>
        <translation>每连接最大请求数</translation>
    </message>
    <message>
        <source>The server closes a connection after this many requests, saying &quot;Connection: close&quot; on the last (nginx keepalive_requests).</source>
        <translation>服务器在一个连接上处理这么多请求后关闭它，并在最后一个响应中带 &quot;Connection: close&quot;（nginx keepalive_requests）。</translation>
    </message>
    <message>
        <source>close probability</source>
        <translation>关闭概率</translation>
    </message>
    <message>
        <source>Share of responses that say &quot;Connection: close&quot; and close.</source>
        <translation>带 &quot;Connection: close&quot; 并关闭连接的响应所占比例。</translation>
    </message>
    <message>
        <source>HTTP/1.0</source>
        <translation>HTTP/1.0</translation>
    </message>
    <message>
        <source>HTTP/1.0 responses without keep-alive: the client cannot reuse the connection.</source>
        <translation>不带 keep-alive 的 HTTP/1.0 响应：客户端无法复用连接。</translation>
    </message>
    <message>
        <source>drop after bytes</source>
        <translation>写满字节后断开</translation>
    </message>
    <message>
        <source>Close the connection after writing this many bytes of a response.</source>
        <translation>写出响应的这么多字节后关闭连接。</translation>
    </message>
    <message>
        <source>0 = off</source>
        <translation>0 = 关</translation>
    </message>
    <message>
        <source>malformed</source>
        <translation>畸形响应</translation>
    </message>
    <message>
        <source>Answer with a malformed status line (a protocol error on the client).</source>
        <translation>用畸形的状态行应答（客户端会报协议错误）。</translation>
    </message>
    <message>
        <source>hostile response</source>
        <translation>恶意响应</translation>
    </message>
    <message>
        <source>Misbehave on every request, to watch what the client makes of it: random bytes, truncated headers or body, a Content-Length longer or shorter than the body, a bad chunk size, 10 MiB of headers, trickled headers or body, an RST before the answer or mid-body, no answer at all, a 1xx storm, Content-Length with chunked, two Content-Lengths. Each ends the request with the error Go 1.19 gives (set a Client.Timeout for the modes that hang).</source>
        <translation>每个请求都故意出错，看客户端如何应对：随机字节、截断的响应头或响应体、比响应体长或短的 Content-Length、错误的 chunk 大小、10 MiB 的响应头、慢速发送响应头或响应体、应答前或响应体中途发 RST、根本不应答、1xx 风暴、Content-Length 与 chunked 并存、两个 Content-Length。每种都以 Go 1.19 给出的错误结束请求（会挂住的模式请设置 Client.Timeout）。</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>Serve HTTPS with the test certificate (applies at the next Start; the client needs InsecureSkipVerify for the test certificate).</source>
        <translation>用测试证书提供 HTTPS（下次开始时生效；客户端需要 InsecureSkipVerify 才能接受测试证书）。</translation>
    </message>
    <message>
        <source>HTTP/2</source>
        <translation>HTTP/2</translation>
    </message>
    <message>
        <source>With TLS, offer h2 by ALPN: a client that picks it (Go&apos;s does unless HTTP/2 is off) multiplexes its requests as streams on one connection. Off: HTTP/1.1 only. Applies to new connections.</source>
        <translation>启用 TLS 时通过 ALPN 提供 h2：选择它的客户端（Go 的客户端会选，除非关闭了 HTTP/2）把请求作为流复用在一个连接上。关：只用 HTTP/1.1。对新连接生效。</translation>
    </message>
    <message>
        <source>h2c prior knowledge</source>
        <translation>h2c 预知</translation>
    </message>
    <message>
        <source>Without TLS, speak HTTP/2 on a connection that opens with the HTTP/2 preface (h2c with prior knowledge); other connections stay HTTP/1.1. Go&apos;s client never does this on its own.</source>
        <translation>不启用 TLS 时，对以 HTTP/2 preface 开头的连接使用 HTTP/2（h2c with prior knowledge）；其他连接仍用 HTTP/1.1。Go 的客户端自己从不这样做。</translation>
    </message>
    <message>
        <source>h2 max concurrent streams</source>
        <translation>h2 最大并发流</translation>
    </message>
    <message>
        <source>SETTINGS_MAX_CONCURRENT_STREAMS the server announces (Go&apos;s server 250, nginx 128). A client at the limit dials another connection (Go&apos;s default) or waits (StrictMaxConcurrentStreams).</source>
        <translation>服务器通告的 SETTINGS_MAX_CONCURRENT_STREAMS（Go 的服务器为 250，nginx 为 128）。达到上限的客户端会再拨一个连接（Go 的默认行为）或等待（StrictMaxConcurrentStreams）。</translation>
    </message>
    <message>
        <source>0 = not announced (no limit)</source>
        <translation>0 = 不通告（不限制）</translation>
    </message>
    <message>
        <source>h2 GOAWAY after streams</source>
        <translation>若干流后发 h2 GOAWAY</translation>
    </message>
    <message>
        <source>The server sends GOAWAY after this many streams on one HTTP/2 connection, answers them and closes it (nginx keepalive_requests for h2); the client moves to a new connection.</source>
        <translation>服务器在一个 HTTP/2 连接上处理这么多流后发送 GOAWAY，应答完这些流后关闭连接（相当于 h2 的 nginx keepalive_requests）；客户端转到新连接。</translation>
    </message>
    <message>
        <source>0 = never</source>
        <translation>0 = 从不</translation>
    </message>
    <message>
        <source>h2 SETTINGS delay</source>
        <translation>h2 SETTINGS 延迟</translation>
    </message>
    <message>
        <source>Time before the server sends its SETTINGS on a new HTTP/2 connection; the client&apos;s requests wait unanswered until then.</source>
        <translation>服务器在新 HTTP/2 连接上发送 SETTINGS 之前的等待时间；在此之前客户端的请求得不到应答。</translation>
    </message>
    <message>
        <source>0 = at once</source>
        <translation>0 = 立即</translation>
    </message>
    <message>
        <source>random seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Seed of the server&apos;s random draws (close probability, jitter): the same seed and requests give the same decisions.</source>
        <translation>服务器随机数的种子（关闭概率、抖动）：种子和请求相同，决策就相同。</translation>
    </message>
    <message>
        <source>Transport (http.Transport)</source>
        <translation>Transport（http.Transport）</translation>
    </message>
    <message>
        <source>TLS (tls.Config)</source>
        <translation>TLS（tls.Config）</translation>
    </message>
    <message>
        <source>Dialer (net.Dialer)</source>
        <translation>Dialer（net.Dialer）</translation>
    </message>
    <message>
        <source>Keep-alive (net.KeepAliveConfig, Go 1.23+)</source>
        <translation>Keep-alive（net.KeepAliveConfig，Go 1.23+）</translation>
    </message>
    <message>
        <source>Client (http.Client)</source>
        <translation>Client（http.Client）</translation>
    </message>
    <message>
        <source>Load</source>
        <translation>负载</translation>
    </message>
    <message>
        <source>Embedded server</source>
        <translation>内置服务器</translation>
    </message>
    <message>
        <source>mixed method</source>
        <translation>混合方法</translation>
    </message>
    <message>
        <source>HTTP method of the mixed share of the workers, with its own retry rule: GET and HEAD are retried when a reused connection fails, POST only with an Idempotency-Key header. A GET or HEAD share in a run of another method sends no request body; any other method sends the request body. A worker of the share also follows the mixed body policy (leak unless set: use read for a share that differs by its method alone).</source>
        <translation>混合比例内的 worker 使用的 HTTP 方法，按该方法自己的重试规则：复用的连接失败时 GET 和 HEAD 会重试，POST 只有带 Idempotency-Key 头部时才重试。在使用其他方法的运行中，GET 或 HEAD 的混合比例不发送请求体；其他方法发送请求体。混合比例内的 worker 同时按“混合响应体处理”对待响应体（未设置时为 leak：若混合比例只在方法上不同，请设为 read）。</translation>
    </message>
    <message>
        <source>empty = the same as the method</source>
        <translation>留空 = 与“方法”相同</translation>
    </message>
    <message>
        <source>same as the method</source>
        <translation>与“方法”相同</translation>
    </message>
</context>
<context>
    <name>KnobUnit</name>
    <message>
        <source>conns</source>
        <translation>个连接</translation>
    </message>
    <message>
        <source>probes</source>
        <translation>次</translation>
    </message>
    <message>
        <source>workers</source>
        <translation>个</translation>
    </message>
    <message>
        <source>req</source>
        <translation>个请求</translation>
    </message>
    <message>
        <source>threads</source>
        <translation>个线程</translation>
    </message>
    <message>
        <source>hops</source>
        <translation>跳</translation>
    </message>
    <message>
        <source>streams</source>
        <translation>个流</translation>
    </message>
</context>
<context>
    <name>PortHeadroom</name>
    <message>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>warn</source>
        <translation>偏高</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>危险</translation>
    </message>
</context>
<context>
    <name>Preset</name>
    <message>
        <source>TIME_WAIT storm (default idle cap 2)</source>
        <translation>TIME_WAIT 风暴（默认空闲上限 2）</translation>
    </message>
    <message>
        <source>Ten workers call one server through Go&apos;s DefaultTransport, whose MaxIdleConnsPerHost of 0 means 2. Each worker pauses 5 ms between requests, so its connection goes back to the pool, which keeps only 2 per host and closes the rest. What you will see: about every second request dials a new connection (requests per connection below 3), every close is &quot;idle pool full (per host)&quot; (Go&apos;s errTooManyIdleHost), never more than 2 connections idle, and the client&apos;s TIME_WAIT sockets climbing by hundreds a second, because the client closes first. Then raise MaxIdleConnsPerHost to 10, one per worker: dials stop and TIME_WAIT drains away over the next 60 s.</source>
        <translation>10 个 worker 通过 Go 的 DefaultTransport 调用同一个服务器，它的 MaxIdleConnsPerHost 为 0，即 2。每个 worker 在两次请求之间暂停 5 ms，于是它的连接回到池中，而池对每个主机只保留 2 个，其余的都关掉。你将看到：大约每两个请求就拨一个新连接（每连接请求数低于 3），每次关闭都是“空闲池已满（每主机）”（Go 的 errTooManyIdleHost），空闲连接从不超过 2 个，客户端的 TIME_WAIT 套接字每秒增加数百个，因为是客户端先关闭。然后把 MaxIdleConnsPerHost 调到 10，每个 worker 一个：拨号停止，TIME_WAIT 在之后的 60 s 内逐渐消退。</translation>
    </message>
    <message>
        <source>TIME_WAIT storm fixed (MaxIdleConnsPerHost 10)</source>
        <translation>TIME_WAIT 风暴已修复（MaxIdleConnsPerHost 10）</translation>
    </message>
    <message>
        <source>The storm&apos;s ten workers, pause and server, with MaxIdleConnsPerHost set to 10: one idle place per worker. Every returned connection fits in the pool. What you will see: exactly 10 dials however long the run lasts, not a single close, TIME_WAIT at 0, and requests per connection growing with the run (hundreds after a few seconds).</source>
        <translation>与风暴相同的 10 个 worker、暂停和服务器，只是 MaxIdleConnsPerHost 设为 10：每个 worker 一个空闲位置。每个归还的连接都能放进池里。你将看到：无论运行多久都恰好 10 次拨号，一次关闭都没有，TIME_WAIT 为 0，每连接请求数随运行增长（几秒后就到数百）。</translation>
    </message>
    <message>
        <source>Go DefaultTransport</source>
        <translation>Go DefaultTransport</translation>
    </message>
    <message>
        <source>http.DefaultTransport as Go ships it: MaxIdleConns 100, MaxIdleConnsPerHost 0 (which means 2), IdleConnTimeout 90 s, a Dialer with a 30 s timeout and 30 s TCP keep-alive; the settings panel marks each as Go&apos;s default. Four workers with a 20 ms pause are already more than the idle cap of 2: when three or four connections come back at once, those beyond 2 are closed. What you will see: dials climbing past the 4 workers (tens in a few seconds; how many depends on how the pauses line up), every close &quot;idle pool full (per host)&quot;, never more than 2 idle. Set MaxIdleConnsPerHost to 4 and the run dials exactly 4 connections.</source>
        <translation>Go 自带的 http.DefaultTransport：MaxIdleConns 100，MaxIdleConnsPerHost 0（即 2），IdleConnTimeout 90 s，Dialer 超时 30 s、TCP keep-alive 30 s；设置面板把每一项标为 Go 的默认值。4 个 worker、20 ms 暂停就已经超过空闲上限 2：三四个连接同时回来时，超出 2 个的就被关闭。你将看到：拨号数超过 4 个 worker 并持续增加（几秒内达到几十；多少取决于暂停如何错开），每次关闭都是“空闲池已满（每主机）”，空闲连接从不超过 2 个。把 MaxIdleConnsPerHost 设为 4，运行就恰好拨 4 个连接。</translation>
    </message>
    <message>
        <source>Zero http.Transport{}</source>
        <translation>零值 http.Transport{}</translation>
    </message>
    <message>
        <source>A bare &amp;http.Transport{} is not DefaultTransport: every field is zero, so there is no MaxIdleConns limit, idle connections never time out (IdleConnTimeout 0), dials have no timeout and TCP keep-alive uses Go&apos;s 15 s default instead of 30 s (the Connections dock shows each socket&apos;s keep-alive timer counting down from 15 s). Compare the Go code panel with go-default. The per-host idle cap is still 2, because 0 means 2. What you will see, with go-default&apos;s 4 workers and server: go-default&apos;s numbers, dials climbing past 4 and every close &quot;idle pool full (per host)&quot;, and not one &quot;idle timeout&quot; close however long the run lasts.</source>
        <translation>裸的 &amp;http.Transport{} 不是 DefaultTransport：所有字段都是零值，所以没有 MaxIdleConns 限制，空闲连接永不超时（IdleConnTimeout 0），拨号没有超时，TCP keep-alive 用 Go 的默认值 15 s 而不是 30 s（连接面板显示每个套接字的 keep-alive 定时器从 15 s 开始倒数）。可与 go-default 对比 Go 代码面板。每主机空闲上限仍是 2，因为 0 表示 2。你将看到（使用 go-default 的 4 个 worker 和服务器）：与 go-default 相同的数字，拨号数超过 4 并持续增加，每次关闭都是“空闲池已满（每主机）”，无论运行多久也没有一次“空闲超时”关闭。</translation>
    </message>
    <message>
        <source>MaxConnsPerHost 4 with 16 workers (queueing)</source>
        <translation>MaxConnsPerHost 4，16 个 worker（排队）</translation>
    </message>
    <message>
        <source>MaxConnsPerHost 4 caps the connections to one host, counting dialing, active and idle ones. Sixteen workers without a pause want 16 connections; only 4 may exist, so the other 12 requests wait until one comes back. What you will see: exactly 4 dials for the whole run and not a single close, open connections pinned at the MaxConnsPerHost line with about 12 requests waiting, and each request taking about 4 times the server&apos;s 10 ms (p50 near 40 ms), the time to wait for 3 others first. MaxIdleConnsPerHost is 4 so that the default idle cap of 2 closes nothing when the run ends.</source>
        <translation>MaxConnsPerHost 4 限制到一个主机的连接数，拨号中、活跃和空闲的都算在内。16 个不暂停的 worker 需要 16 个连接；只允许存在 4 个，所以另外 12 个请求要等有连接回来。你将看到：整个运行恰好 4 次拨号，一次关闭都没有，打开的连接数贴在 MaxConnsPerHost 线上，约 12 个请求在等待，每个请求耗时约为服务器 10 ms 的 4 倍（p50 接近 40 ms），即先等另外 3 个请求的时间。MaxIdleConnsPerHost 设为 4，这样默认空闲上限 2 不会在运行结束时关闭连接。</translation>
    </message>
    <message>
        <source>Server idle timeout (1 s) shorter than the pause (1.5 s)</source>
        <translation>服务器空闲超时（1 s）短于暂停（1.5 s）</translation>
    </message>
    <message>
        <source>The server closes a keep-alive connection after 1 s without a request (like nginx keepalive_timeout), but each of the 4 workers pauses 1.5 s between requests. By the time a worker wants its connection again, the server has closed it; the pool saw the close while the connection sat idle and dropped it (Go&apos;s errServerClosedIdle). What you will see: one dial per request (requests per connection 1.0), every close &quot;server closed idle&quot;, no errors, no retries, and the client&apos;s TIME_WAIT near 0: the server closes first and holds it. The fix is on the server: set its idle timeout above the pause (server idle timeout 2 s) and the run dials 4 connections, one per worker. Lowering IdleConnTimeout below 1 s does not bring reuse back here: the client then closes each connection itself (&quot;idle timeout&quot;), still one dial per request, and the TIME_WAIT moves to the client. MaxIdleConnsPerHost is 100 so that the idle cap closes nothing.</source>
        <translation>服务器在连接 1 s 没有请求后关闭这个 keep-alive 连接（类似 nginx keepalive_timeout），而 4 个 worker 每个都在两次请求之间暂停 1.5 s。等 worker 再要用它的连接时，服务器已经关了它；连接池在连接空闲时就看到了关闭并丢弃了它（Go 的 errServerClosedIdle）。你将看到：每个请求一次拨号（每连接请求数 1.0），每次关闭都是“服务器关闭了空闲连接”，没有错误，没有重试，客户端的 TIME_WAIT 接近 0：服务器先关闭，由它持有 TIME_WAIT。要在服务器上修复：把它的空闲超时设得比暂停长（服务器空闲超时 2 s），运行就只拨 4 个连接，每个 worker 一个。把 IdleConnTimeout 降到 1 s 以下在这里并不能恢复复用：那样是客户端自己关闭每个连接（“空闲超时”），仍然每个请求一次拨号，TIME_WAIT 转到客户端。MaxIdleConnsPerHost 设为 100，这样空闲上限不会关闭任何连接。</translation>
    </message>
    <message>
        <source>Response body closed without reading</source>
        <translation>响应体未读就关闭</translation>
    </message>
    <message>
        <source>Each caller closes resp.Body without reading it to the end. Go does not read the rest for you: it closes the connection instead, so no connection is ever reused. What you will see: one dial per request (requests per connection 1.0, reuse 0 %), every close &quot;body not read to EOF&quot;, and the client&apos;s TIME_WAIT growing by about one per request, because the client closes first. Reading the body to EOF before Close (io.Copy(io.Discard, resp.Body)) restores reuse: set the body policy to read and the run dials 4 connections, one per worker. MaxIdleConnsPerHost is 100 so that the idle cap closes nothing after that fix.</source>
        <translation>每个调用方都不把 resp.Body 读完就关闭它。Go 不会替你读完剩下的部分：它直接关闭连接，所以连接永远不会被复用。你将看到：每个请求一次拨号（每连接请求数 1.0，复用率 0 %），每次关闭都是“响应体未读到 EOF”，客户端的 TIME_WAIT 大约每个请求增加一个，因为是客户端先关闭。在 Close 之前把响应体读到 EOF（io.Copy(io.Discard, resp.Body)）就能恢复复用：把响应体处理设为 read，运行就只拨 4 个连接，每个 worker 一个。MaxIdleConnsPerHost 设为 100，这样修复之后空闲上限也不会关闭任何连接。</translation>
    </message>
    <message>
        <source>Server keepalive_requests limit (6)</source>
        <translation>服务器 keepalive_requests 上限（6）</translation>
    </message>
    <message>
        <source>The server answers at most 6 requests per connection (nginx keepalive_requests 6) and says &quot;Connection: close&quot; on the 6th; the client honours it. What you will see: every connection serves exactly 6 requests, so requests per connection is 6.0 (5.9 while the last few connections are part-way) and there is one dial per 6 requests; every close is &quot;Connection: close (server)&quot;, and the server, closing first, holds most of the TIME_WAIT. Only the server&apos;s limit changes this; no client knob can. MaxIdleConnsPerHost is 100 so that the idle cap closes nothing and every close is the server&apos;s.</source>
        <translation>服务器在每个连接上最多应答 6 个请求（nginx keepalive_requests 6），并在第 6 个响应中带 &quot;Connection: close&quot;；客户端遵从。你将看到：每个连接恰好服务 6 个请求，所以每连接请求数为 6.0（最后几个连接还没用完时为 5.9），每 6 个请求一次拨号；每次关闭都是“Connection: close（服务器）”，先关闭的服务器持有大部分 TIME_WAIT。只有服务器的上限能改变这一点，客户端的参数都不行。MaxIdleConnsPerHost 设为 100，这样空闲上限不会关闭任何连接，每次关闭都来自服务器。</translation>
    </message>
    <message>
        <source>DisableKeepAlives (one request per connection)</source>
        <translation>DisableKeepAlives（每个连接一个请求）</translation>
    </message>
    <message>
        <source>DisableKeepAlives sends &quot;Connection: close&quot; with every request and uses each connection once. What you will see: one dial per request (dials/s equals requests/s, requests per connection 1.0), every close &quot;keep-alives disabled&quot;. Because the request asks for the close, the server hangs up first, so the TIME_WAIT sockets pile up by the thousand on the server&apos;s side: the kernel chart&apos;s dashed &quot;server TIME_WAIT&quot; line climbs (more than twice the client&apos;s), while the client&apos;s TIME_WAIT line stays far below the closes (under a third: only where both ends hang up at once). For the pile-up on the client, turn DisableKeepAlives off and set MaxIdleConnsPerHost to -1: still one request per connection, but no &quot;Connection: close&quot; is sent, the client closes first and holds the TIME_WAIT.</source>
        <translation>DisableKeepAlives 在每个请求中发送 &quot;Connection: close&quot;，每个连接只用一次。你将看到：每个请求一次拨号（拨号/s 等于请求/s，每连接请求数 1.0），每次关闭都是“keep-alive 已禁用”。由于是请求要求关闭，服务器先挂断，所以 TIME_WAIT 套接字成千地堆在服务器一侧：内核图表中虚线“服务器 TIME_WAIT”不断上升（超过客户端的两倍），而客户端的 TIME_WAIT 线远低于关闭数（不到三分之一：只在两端同时挂断时出现）。要让堆积出现在客户端，关闭 DisableKeepAlives 并把 MaxIdleConnsPerHost 设为 -1：仍是每个连接一个请求，但不再发送 &quot;Connection: close&quot;，客户端先关闭并持有 TIME_WAIT。</translation>
    </message>
    <message>
        <source>HTTPS to one backend: HTTP/2 needs one connection</source>
        <translation>HTTPS 访问单个后端：HTTP/2 只需一个连接</translation>
    </message>
    <message>
        <source>The storm&apos;s load (ten workers, DefaultTransport, idle cap 2) against an HTTPS server that speaks HTTP/2. Go offers h2 by ALPN (DefaultTransport sets ForceAttemptHTTP2) and sends every request as a stream on one connection, so the idle cap plays no part. What you will see: exactly 10 dials, all at the start (each worker dials before any connection is pooled), 9 of them closed unused as &quot;HTTP/2 spare dial closed unused&quot; (Go&apos;s upgradeFn) and 1 connection left open carrying every request; every response HTTP/2.0 (the status bar&apos;s protocol field), no TIME_WAIT beyond those 9 spares. Then pick &quot;HTTPS with HTTP/2 off&quot; to see the same load over HTTP/1.1.</source>
        <translation>风暴的负载（10 个 worker、DefaultTransport、空闲上限 2）打向支持 HTTP/2 的 HTTPS 服务器。Go 通过 ALPN 提供 h2（DefaultTransport 设置了 ForceAttemptHTTP2），把每个请求作为流发在一个连接上，所以空闲上限不起作用。你将看到：恰好 10 次拨号，全在开始时（每个 worker 都在有连接入池之前拨号），其中 9 个以“HTTP/2 多余拨号未用即关”关闭（Go 的 upgradeFn），剩下 1 个连接保持打开并承载所有请求；所有响应都是 HTTP/2.0（状态栏的协议字段），除了这 9 个多余连接外没有 TIME_WAIT。然后选择“HTTPS，关闭 HTTP/2”，看同样的负载走 HTTP/1.1 的情形。</translation>
    </message>
    <message>
        <source>HTTPS with HTTP/2 off: the storm comes back</source>
        <translation>HTTPS，关闭 HTTP/2：风暴又回来了</translation>
    </message>
    <message>
        <source>The same HTTPS load with HTTP/2 off (DisableHTTP2: Go&apos;s empty TLSNextProto map; a custom DialContext without ForceAttemptHTTP2 does the same). What you will see: every response HTTP/1.1, the storm again (requests per connection below 3, every close &quot;idle pool full (per host)&quot; but the few handshakes still in flight when the run stops, the client&apos;s TIME_WAIT climbing), and each of those dials is a TLS handshake, so far fewer requests go through than with HTTP/2 (under half). The fix is HTTP/2 back on, or MaxIdleConnsPerHost 10.</source>
        <translation>同样的 HTTPS 负载，但关闭了 HTTP/2（DisableHTTP2：Go 的空 TLSNextProto map；不带 ForceAttemptHTTP2 的自定义 DialContext 效果相同）。你将看到：所有响应都是 HTTP/1.1，风暴再次出现（每连接请求数低于 3，除了运行停止时仍在进行的少数握手外，每次关闭都是“空闲池已满（每主机）”，客户端的 TIME_WAIT 不断上升），而且每次拨号都是一次 TLS 握手，所以通过的请求比 HTTP/2 少得多（不到一半）。修复办法是重新打开 HTTP/2，或设 MaxIdleConnsPerHost 10。</translation>
    </message>
</context>
<context>
    <name>poolscope::ChartCanvas</name>
    <message>
        <source>at %1 s</source>
        <translation>%1 s 处</translation>
    </message>
    <message>
        <source>changed at %1 s: %2</source>
        <translation>%1 s 时更改：%2</translation>
    </message>
</context>
<context>
    <name>poolscope::ChartLegend</name>
    <message>
        <source>
Click to hide or show this series.</source>
        <translation>
单击可隐藏或显示此序列。</translation>
    </message>
</context>
<context>
    <name>poolscope::ChartsPanel</name>
    <message>
        <source>Connections in the pool (1 s means)</source>
        <translation>连接池中的连接（1 秒均值）</translation>
    </message>
    <message>
        <source>Connections in the pool</source>
        <translation>连接池中的连接</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Connections to the target, each point the mean of the last second of 10 Hz samples. The dashed lines are the pool&apos;s limits, drawn over the data.</source>
        <translation>到目标的连接，每个点是最近 1 秒内 10 Hz 采样的平均值。虚线是连接池的上限，画在数据之上。</translation>
    </message>
    <message>
        <source>open</source>
        <translation>已打开</translation>
    </message>
    <message>
        <source>Connections open to the target: active plus idle</source>
        <translation>到目标的已打开连接：活跃加空闲</translation>
    </message>
    <message>
        <source>active</source>
        <translation>活跃</translation>
    </message>
    <message>
        <source>Connections carrying a request</source>
        <translation>正在承载请求的连接</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>Idle connections kept in the pool for the next request</source>
        <translation>保留在池中、等待下一个请求的空闲连接</translation>
    </message>
    <message>
        <source>dialing</source>
        <translation>拨号中</translation>
    </message>
    <message>
        <source>Connections being dialed (TCP connect and TLS handshake)</source>
        <translation>正在拨号的连接（TCP connect 和 TLS 握手）</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <source>Requests waiting for a connection (MaxConnsPerHost reached, or a dial in flight)</source>
        <translation>等待连接的请求（已达 MaxConnsPerHost，或有拨号正在进行）</translation>
    </message>
    <message>
        <source>idle cap (MaxIdleConnsPerHost)</source>
        <translation>空闲上限（MaxIdleConnsPerHost）</translation>
    </message>
    <message>
        <source>idle cap %1</source>
        <translation>空闲上限 %1</translation>
    </message>
    <message>
        <source>MaxConnsPerHost</source>
        <translation>MaxConnsPerHost</translation>
    </message>
    <message>
        <source>MaxConnsPerHost: at most this many connections, dialing included; more requests wait (0 = unlimited, not drawn)</source>
        <translation>MaxConnsPerHost：最多这么多连接（含拨号中的）；更多的请求要等待（0 = 不限制，不画出）</translation>
    </message>
    <message>
        <source>Dials and closes per second, closes stacked by reason</source>
        <translation>每秒拨号与关闭，关闭按原因堆叠</translation>
    </message>
    <message>
        <source>Dials and closes per second</source>
        <translation>每秒拨号与关闭</translation>
    </message>
    <message>
        <source>Dials, closes /s</source>
        <translation>拨号、关闭 /s</translation>
    </message>
    <message>
        <source>New connections per second (line) and closed connections per second, stacked by the reason Go closes them (the Go error is in each entry&apos;s tooltip).</source>
        <translation>每秒新建的连接（折线）和每秒关闭的连接，按 Go 关闭它们的原因堆叠（各图例项的提示中有对应的 Go 错误）。</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>Closes per second: %1 (Go: %2)</source>
        <translation>每秒关闭：%1（Go：%2）</translation>
    </message>
    <message>
        <source>dials</source>
        <translation>拨号</translation>
    </message>
    <message>
        <source>dials/s</source>
        <translation>拨号/s</translation>
    </message>
    <message>
        <source>New connections dialed per second</source>
        <translation>每秒新拨号的连接</translation>
    </message>
    <message>
        <source>Kernel TCP sockets to the target (TIME_WAIT: closed by us, port held 60 s)</source>
        <translation>到目标的内核 TCP 套接字（TIME_WAIT：由我方关闭，端口占用 60 s）</translation>
    </message>
    <message>
        <source>Kernel TCP sockets (TIME_WAIT: closed by us)</source>
        <translation>内核 TCP 套接字（TIME_WAIT：由我方关闭）</translation>
    </message>
    <message>
        <source>Kernel TCP sockets</source>
        <translation>内核 TCP 套接字</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>内核</translation>
    </message>
    <message>
        <source>What the kernel reports for this process&apos;s sockets to the target (sock_diag). A socket in TIME_WAIT was closed by our side first and holds its local port for 60 s.</source>
        <translation>内核报告的本进程到目标的套接字（sock_diag）。处于 TIME_WAIT 的套接字是我方先关闭的，会占用其本地端口 60 s。</translation>
    </message>
    <message>
        <source>ESTABLISHED</source>
        <translation>ESTABLISHED</translation>
    </message>
    <message>
        <source>Open TCP connections</source>
        <translation>已打开的 TCP 连接</translation>
    </message>
    <message>
        <source>TIME_WAIT</source>
        <translation>TIME_WAIT</translation>
    </message>
    <message>
        <source>Closed by us first: the socket keeps its port for 60 s</source>
        <translation>我方先关闭：套接字占用其端口 60 s</translation>
    </message>
    <message>
        <source>CLOSE_WAIT</source>
        <translation>CLOSE_WAIT</translation>
    </message>
    <message>
        <source>Closed by the server, not yet by us</source>
        <translation>服务器已关闭，我方尚未关闭</translation>
    </message>
    <message>
        <source>server TIME_WAIT</source>
        <translation>服务器 TIME_WAIT</translation>
    </message>
    <message>
        <source>The target&apos;s end of the same connections in TIME_WAIT: the server closed first (Connection: close, keep-alives disabled). Counted when the target runs on this machine.</source>
        <translation>同一批连接在目标一端处于 TIME_WAIT 的数量：服务器先关闭（Connection: close、keep-alive 已禁用）。目标运行在本机时才统计。</translation>
    </message>
    <message>
        <source>server CLOSE_WAIT</source>
        <translation>服务器 CLOSE_WAIT</translation>
    </message>
    <message>
        <source>The target&apos;s end: closed by us, not yet by the server</source>
        <translation>目标一端：我方已关闭，服务器尚未关闭</translation>
    </message>
    <message>
        <source>Latency of completed responses (ms) and throughput (req/s, right)</source>
        <translation>已完成响应的延迟（ms）和吞吐量（req/s，右轴）</translation>
    </message>
    <message>
        <source>Latency (ms) and throughput (req/s)</source>
        <translation>延迟（ms）和吞吐量（req/s）</translation>
    </message>
    <message>
        <source>Latency and throughput</source>
        <translation>延迟和吞吐量</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>延迟</translation>
    </message>
    <message>
        <source>p50 and p99 of the responses that completed, in milliseconds (left axis); nothing is drawn where none completed. On the right axis: successful requests per second (throughput) and, dashed, every attempt per second, failed ones included.</source>
        <translation>已完成响应的 p50 和 p99，单位毫秒（左轴）；没有响应完成的地方不画线。右轴：每秒成功的请求数（吞吐量），以及虚线表示的每秒全部尝试数（含失败的）。</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>%1 latency of the responses completed in each second</source>
        <translation>每秒内完成的响应的 %1 延迟</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation>req/s</translation>
    </message>
    <message>
        <source>req/s (right)</source>
        <translation>req/s（右）</translation>
    </message>
    <message>
        <source>Throughput: requests that succeeded, per second (right axis). A failed request is an attempt, never throughput.</source>
        <translation>吞吐量：每秒成功的请求数（右轴）。失败的请求只算尝试，绝不算吞吐量。</translation>
    </message>
    <message>
        <source>attempts/s</source>
        <translation>尝试/s</translation>
    </message>
    <message>
        <source>Requests finished per second, failed ones included (right axis): far above req/s when most requests fail</source>
        <translation>每秒完成的请求数，含失败的（右轴）：大多数请求失败时远高于 req/s</translation>
    </message>
    <message>
        <source>Pause charts</source>
        <translation>暂停图表</translation>
    </message>
    <message>
        <source>Freeze the charts (the run goes on and is still recorded). While paused, drag the scroll bar to look back through the last hour.</source>
        <translation>冻结图表（运行继续，数据照常记录）。暂停时拖动滚动条可回看最近一小时。</translation>
    </message>
    <message>
        <source>last minute</source>
        <translation>最近 1 分钟</translation>
    </message>
    <message>
        <source>last 5 minutes</source>
        <translation>最近 5 分钟</translation>
    </message>
    <message>
        <source>last 15 minutes</source>
        <translation>最近 15 分钟</translation>
    </message>
    <message>
        <source>whole run</source>
        <translation>整个运行</translation>
    </message>
    <message>
        <source>How much of the run the charts show. The whole run is what the history holds: the last hour at 10 Hz.</source>
        <translation>图表显示运行的多长一段。整个运行指历史记录保存的范围：最近一小时的 10 Hz 数据。</translation>
    </message>
    <message>
        <source>Scroll back through the run (pauses the charts)</source>
        <translation>回看运行过程（会暂停图表）</translation>
    </message>
    <message>
        <source>Waiting for the kernel view: the engine has not reported kernel socket counts yet.</source>
        <translation>等待内核视图：引擎尚未报告内核套接字计数。</translation>
    </message>
    <message>
        <source>Kernel view unavailable: %1</source>
        <translation>内核视图不可用：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Who closed first in this run (whose side holds the TIME_WAIT):
the client: %1 (%2)
the server: %3 (%4)</source>
        <translation>本次运行中谁先关闭（由哪一方持有 TIME_WAIT）：
客户端：%1（%2）
服务器：%3（%4）</translation>
    </message>
    <message>
        <source>Resume live</source>
        <translation>恢复实时</translation>
    </message>
    <message>
        <source>Kernel socket counts appear here once a run starts.</source>
        <translation>运行开始后，这里显示内核套接字计数。</translation>
    </message>
    <message>
        <source>MaxConnsPerHost %1</source>
        <translation>MaxConnsPerHost %1</translation>
    </message>
    <message>
        <source>%1 %2 ↑ above the scale</source>
        <translation>%1 %2 ↑ 超出刻度</translation>
    </message>
    <message>
        <source>No response completed in this window: no latency to show.</source>
        <translation>此时间窗内没有完成的响应：没有延迟可显示。</translation>
    </message>
    <message>
        <source>%1 %2–%3 s</source>
        <translation>%1 %2–%3 s</translation>
    </message>
    <message>
        <source>paused at</source>
        <translation>暂停于</translation>
    </message>
    <message>
        <source>live:</source>
        <translation>实时：</translation>
    </message>
    <message>
        <source> (history from %1 s: %2 older samples dropped)</source>
        <translation>（历史从 %1 s 起：已丢弃 %2 个更早的样本）</translation>
    </message>
    <message>
        <source>h2 streams</source>
        <translation>h2 流</translation>
    </message>
    <message>
        <source>HTTP/2 streams open, all connections together: each request in flight is one stream, and many share one connection</source>
        <translation>所有连接上打开的 HTTP/2 流合计：每个进行中的请求是一个流，许多流共用一条连接</translation>
    </message>
    <message>
        <source>streams/conn max</source>
        <translation>每连接流数 最大</translation>
    </message>
    <message>
        <source>Streams on the busiest HTTP/2 connection. Go opens a stream on a connection while streams + 1 stay within the server&apos;s SETTINGS_MAX_CONCURRENT_STREAMS (CanTakeNewRequest; 100 until the server&apos;s SETTINGS arrive)</source>
        <translation>最忙的那条 HTTP/2 连接上的流数。只要流数 + 1 不超过服务器的 SETTINGS_MAX_CONCURRENT_STREAMS，Go 就在该连接上再开一个流（CanTakeNewRequest；在服务器的 SETTINGS 到达之前按 100 计）</translation>
    </message>
    <message>
        <source>streams/conn mean</source>
        <translation>每连接流数 平均</translation>
    </message>
    <message>
        <source>Streams per open HTTP/2 connection, on average over the connections</source>
        <translation>每条打开的 HTTP/2 连接上的流数，按连接取平均</translation>
    </message>
    <message>
        <source>waiting for a stream</source>
        <translation>等待流</translation>
    </message>
    <message>
        <source>Requests waiting for a stream slot: with StrictMaxConcurrentStreams queued on a connection at the server&apos;s limit; without it, every connection was at the limit and they wait for the dial of another one</source>
        <translation>等待流位置的请求：开启 StrictMaxConcurrentStreams 时，在已达服务器上限的连接上排队；不开启时，所有连接都已达上限，请求等待另一条连接拨号完成</translation>
    </message>
    <message>
        <source>MaxIdleConnsPerHost in force (0 means Go&apos;s default of 2): a connection returned while this many are idle is closed (errTooManyIdleHost). Not drawn on a run whose connections are all HTTP/2: Go&apos;s h2 pool has no idle cap</source>
        <translation>生效的 MaxIdleConnsPerHost（0 表示 Go 的默认值 2）：归还连接时若已有这么多空闲连接，它就会被关闭（errTooManyIdleHost）。连接全部为 HTTP/2 的运行不绘制此线：Go 的 h2 连接池没有空闲上限</translation>
    </message>
</context>
<context>
    <name>poolscope::ConnectionsModel</name>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 s</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>%1 in %2 s</source>
        <translation>%1，%2 s 后</translation>
    </message>
    <message>
        <source>conn</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <source>age</source>
        <translation>存活</translation>
    </message>
    <message>
        <source>in state</source>
        <translation>当前状态</translation>
    </message>
    <message>
        <source>local port</source>
        <translation>本地端口</translation>
    </message>
    <message>
        <source>kernel state</source>
        <translation>内核状态</translation>
    </message>
    <message>
        <source>kernel timer</source>
        <translation>内核定时器</translation>
    </message>
    <message>
        <source>probes</source>
        <translation>探测</translation>
    </message>
    <message>
        <source>last 60 s</source>
        <translation>最近 60 s</translation>
    </message>
    <message>
        <source>Connection number, in dial order</source>
        <translation>连接编号，按拨号顺序</translation>
    </message>
    <message>
        <source>Pool state: dialing, active (serving a request) or idle (pooled, waiting for reuse)</source>
        <translation>连接池状态：拨号中、活跃（正在服务请求）或空闲（在池中等待复用）</translation>
    </message>
    <message>
        <source>Requests this connection has served</source>
        <translation>这个连接已服务的请求数</translation>
    </message>
    <message>
        <source>Time since the dial started</source>
        <translation>自开始拨号以来的时间</translation>
    </message>
    <message>
        <source>Time since the connection entered its current state</source>
        <translation>连接进入当前状态以来的时间</translation>
    </message>
    <message>
        <source>Our end&apos;s port: the key that joins the pool&apos;s connection to the kernel&apos;s socket</source>
        <translation>我方一端的端口：把连接池中的连接与内核套接字对应起来的键</translation>
    </message>
    <message>
        <source>The kernel&apos;s TCP state of the same socket (sock_diag)</source>
        <translation>同一套接字在内核中的 TCP 状态（sock_diag）</translation>
    </message>
    <message>
        <source>The kernel&apos;s timer on the socket and when it fires: keepalive (next keep-alive probe), retransmit, timewait</source>
        <translation>内核在该套接字上的定时器及其触发时间：keepalive（下一次 keep-alive 探测）、retransmit、timewait</translation>
    </message>
    <message>
        <source>Keep-alive probes sent without an answer; after Count of them the kernel closes the connection</source>
        <translation>已发送但未得到应答的 keep-alive 探测；达到 Count 次后内核关闭连接</translation>
    </message>
    <message>
        <source>The connection&apos;s last minute: grey = earlier states, colour = current state, red ticks = unanswered keep-alive probes</source>
        <translation>连接的最近一分钟：灰色 = 之前的状态，彩色 = 当前状态，红色刻度 = 未应答的 keep-alive 探测</translation>
    </message>
</context>
<context>
    <name>poolscope::ConnectionsView</name>
    <message>
        <source>Showing the oldest %1 of %2 connections (the view is capped at %3). </source>
        <translation>显示 %2 个连接中最早的 %1 个（视图上限为 %3）。</translation>
    </message>
    <message>
        <source>Dialing %1, active %2, idle %3.</source>
        <translation>拨号中 %1，活跃 %2，空闲 %3。</translation>
    </message>
    <message>
        <source> Closed so far: %1 (%2).</source>
        <translation>迄今已关闭：%1（%2）。</translation>
    </message>
    <message>
        <source> Kernel view unavailable: %1.</source>
        <translation>内核视图不可用：%1。</translation>
    </message>
    <message>
        <source>%1 connection open</source>
        <translation>%1 条连接打开</translation>
    </message>
    <message>
        <source>%1 connections open</source>
        <translation>%1 条连接打开</translation>
    </message>
    <message>
        <source> (active %1, idle %2), %3 dialing.</source>
        <translation>（活跃 %1，空闲 %2），%3 条拨号中。</translation>
    </message>
</context>
<context>
    <name>poolscope::GoCodePanel</name>
    <message>
        <source>The current settings as Go code</source>
        <translation>当前设置对应的 Go 代码</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy the Go code to the clipboard</source>
        <translation>把 Go 代码复制到剪贴板</translation>
    </message>
    <message>
        <source>copied</source>
        <translation>已复制</translation>
    </message>
</context>
<context>
    <name>poolscope::KnobWidget</name>
    <message>
        <source>Reset %1 to Go&apos;s default (%2)</source>
        <translation>把 %1 重置为 Go 的默认值（%2）</translation>
    </message>
    <message>
        <source>Reset %1 to the default (%2)</source>
        <translation>把 %1 重置为默认值（%2）</translation>
    </message>
    <message>
        <source>enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Go field: &lt;code&gt;%1&lt;/code&gt;</source>
        <translation>Go 字段：&lt;code&gt;%1&lt;/code&gt;</translation>
    </message>
    <message>
        <source>PoolScope&apos;s own knob &lt;code&gt;%1&lt;/code&gt; (not in Go)</source>
        <translation>PoolScope 自己的参数 &lt;code&gt;%1&lt;/code&gt;（Go 中没有）</translation>
    </message>
    <message>
        <source>Go default: %1</source>
        <translation>Go 默认值：%1</translation>
    </message>
    <message>
        <source>Default: %1</source>
        <translation>默认值：%1</translation>
    </message>
    <message>
        <source>Range: %1 to %2%3</source>
        <translation>范围：%1 到 %2%3</translation>
    </message>
    <message>
        <source>; scenario files and flags accept %1</source>
        <translation>；场景文件和命令行参数接受 %1</translation>
    </message>
    <message>
        <source>Click, then arrows or PageUp/PageDown step to round values; or type a value and press Enter.</source>
        <translation>单击后用方向键或 PageUp/PageDown 按整数值步进；也可以输入数值后按 Enter。</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关</translation>
    </message>
    <message>
        <source>✓ Go default</source>
        <translation>✓ Go 默认值</translation>
    </message>
    <message>
        <source>✓ default</source>
        <translation>✓ 默认值</translation>
    </message>
    <message>
        <source>default: %1</source>
        <translation>默认值：%1</translation>
    </message>
</context>
<context>
    <name>poolscope::LabPanel</name>
    <message>
        <source>Set up lab</source>
        <translation>搭建实验</translation>
    </message>
    <message>
        <source>Create the network namespace and its veth pair, start a server inside, point the target URL at it and open up to %1 pooled connections</source>
        <translation>创建网络命名空间及其 veth 对，在其中启动服务器，把目标 URL 指向它，并打开最多 %1 个池化连接</translation>
    </message>
    <message>
        <source>Vanish server</source>
        <translation>让服务器消失</translation>
    </message>
    <message>
        <source>Take the namespace&apos;s end of the link down: the server disappears without a FIN or RST, every packet toward it is dropped</source>
        <translation>关闭命名空间一端的链路：服务器消失，不发 FIN 也不发 RST，发往它的每个包都被丢弃</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Bring the link back up: the server answers again</source>
        <translation>重新打开链路：服务器再次应答</translation>
    </message>
    <message>
        <source>Tear down</source>
        <translation>拆除</translation>
    </message>
    <message>
        <source>Stop the server, delete the namespace and the veth pair, return the window to the scenario it showed before</source>
        <translation>停止服务器，删除命名空间和 veth 对，让窗口回到之前显示的场景</translation>
    </message>
    <message>
        <source>Short keep-alive
(1 s, 1 s, 3)</source>
        <translation>短 keep-alive
（1 s、1 s、3）</translation>
    </message>
    <message>
        <source>Set Dialer.KeepAliveConfig in the Settings dock to Enable, Idle 1 s, Interval 1 s, Count 3, so the kernel gives up after about 4 s</source>
        <translation>在设置面板中把 Dialer.KeepAliveConfig 设为启用，Idle 1 s、Interval 1 s、Count 3，这样内核大约 4 s 后放弃</translation>
    </message>
    <message>
        <source>A server that vanishes without closing its connections (power cut, pulled cable, a firewall dropping its state) sends no FIN or RST, so pooled connections to it look healthy. Only TCP keep-alive notices: after Idle seconds of silence the kernel probes, then every Interval; after Count unanswered probes it closes the connection (Go sees ETIMEDOUT). Without keep-alive the dead connection stays pooled until a request hangs on it. The lab runs a server in a network namespace, pools as many idle connections to it as MaxIdleConnsPerHost keeps (at most %1), then takes its link down.</source>
        <translation>一个没有关闭连接就消失的服务器（断电、拔网线、防火墙丢掉了连接状态）不会发送 FIN 或 RST，所以到它的池化连接看起来一切正常。只有 TCP keep-alive 能发现：静默 Idle 秒后内核开始探测，之后每隔 Interval 探测一次；Count 次探测都没有应答时它关闭连接（Go 看到 ETIMEDOUT）。没有 keep-alive，死连接会一直留在池里，直到某个请求卡在它上面。本实验在网络命名空间中运行服务器，向它建立 MaxIdleConnsPerHost 允许保留的那么多个空闲连接（最多 %1 个）放入池中，然后断开它的链路。</translation>
    </message>
    <message>
        <source>Set up the dead-peer lab</source>
        <translation>搭建死对端实验</translation>
    </message>
    <message>
        <source>Dead-peer lab</source>
        <translation>死对端实验</translation>
    </message>
    <message>
        <source>%1 workers make one request each to the server in network namespace %2, then the pool keeps the connections idle. Press Vanish server in the Dead-peer lab panel and watch the Connections view: with TCP keep-alive the kernel probes and closes them; without it they stay pooled, dead. The keep-alive knobs are in the Dialer group.</source>
        <translation>%1 个 worker 各向网络命名空间 %2 中的服务器发一个请求，然后连接池把这些连接保持为空闲。在死对端实验面板中按“让服务器消失”，然后观察连接视图：有 TCP keep-alive 时内核会探测并关闭它们；没有时它们作为死连接留在池中。keep-alive 参数在 Dialer 分组中。</translation>
    </message>
    <message>
        <source>Tear down the dead-peer lab</source>
        <translation>拆除死对端实验</translation>
    </message>
    <message>
        <source>Error: %1.%2</source>
        <translation>错误：%1。%2</translation>
    </message>
    <message>
        <source>%1%2 (kernel default)</source>
        <translation>%1%2（内核默认值）</translation>
    </message>
    <message>
        <source>the kernel default</source>
        <translation>内核默认值</translation>
    </message>
    <message>
        <source>TCP keep-alive in effect (Settings dock, Dialer.KeepAlive / KeepAliveConfig): first probe after %1 idle, then every %2, give up after %3 unanswered probes.</source>
        <translation>生效的 TCP keep-alive（设置面板，Dialer.KeepAlive / KeepAliveConfig）：空闲 %1 后第一次探测，之后每隔 %2，%3 次探测无应答后放弃。</translation>
    </message>
    <message>
        <source> Expected kill time Idle + Interval × Count = %1 s.</source>
        <translation>预计断开时间 Idle + Interval × Count = %1 s。</translation>
    </message>
    <message>
        <source> IdleConnTimeout (%1 s) is shorter: the pool will close the idle connections before the kernel notices.</source>
        <translation>IdleConnTimeout（%1 s）更短：连接池会在内核发现之前关闭空闲连接。</translation>
    </message>
    <message>
        <source> The lab&apos;s connections were dialed with other keep-alive settings; press Start (Space) for a new run that uses these.</source>
        <translation>实验的连接是用其他 keep-alive 设置拨号的；按“开始”（空格）开始一次使用这些设置的新运行。</translation>
    </message>
    <message>
        <source>The dead-peer lab is unavailable here: %1</source>
        <translation>死对端实验在此不可用：%1</translation>
    </message>
    <message>
        <source>Not set up. Press Set up lab.</source>
        <translation>尚未搭建。请按“搭建实验”。</translation>
    </message>
    <message>
        <source>Namespace %1 is up; starting the server inside it…</source>
        <translation>命名空间 %1 已就绪；正在其中启动服务器…</translation>
    </message>
    <message>
        <source>Server %1 in namespace %2.</source>
        <translation>服务器 %1 位于命名空间 %2。</translation>
    </message>
    <message>
        <source>%1 The window&apos;s target is no longer the lab server: Tear down, or type the lab URL back.</source>
        <translation>%1 窗口的目标已不再是实验服务器：请拆除，或重新输入实验 URL。</translation>
    </message>
    <message>
        <source> (kernel: %1, timer %2)</source>
        <translation>（内核：%1，定时器 %2）</translation>
    </message>
    <message>
        <source>%1 %2 idle in the pool%3. Press Vanish server: its link goes down, no FIN, no RST.</source>
        <translation>%1 %2在池中空闲%3。按“让服务器消失”：它的链路断开，没有 FIN，也没有 RST。</translation>
    </message>
    <message>
        <source>connection</source>
        <translation>个连接</translation>
    </message>
    <message>
        <source>connections</source>
        <translation>个连接</translation>
    </message>
    <message>
        <source>%1 Opening %2…</source>
        <translation>%1 正在打开 %2…</translation>
    </message>
    <message>
        <source>%1 Nothing stays pooled: DisableKeepAlives is on or MaxIdleConnsPerHost is negative. Change them and press Start (Space).</source>
        <translation>%1 没有连接留在池中：DisableKeepAlives 已打开或 MaxIdleConnsPerHost 为负数。修改它们后按“开始”（空格）。</translation>
    </message>
    <message>
        <source>%1 No pooled connections to it: press Start (Space) for a new run.</source>
        <translation>%1 没有到它的池化连接：按“开始”（空格）开始新的运行。</translation>
    </message>
    <message>
        <source>Peer vanished %1 s ago</source>
        <translation>对端已消失 %1 s</translation>
    </message>
    <message>
        <source>. All %1 closed %2 s after the vanishing; %3 by the kernel after unanswered keep-alive probes (&quot;%4&quot;, Go sees %5)</source>
        <translation>。%1在消失后 %2 s 时全部关闭；其中 %3 个由内核在 keep-alive 探测无应答后关闭（“%4”，Go 看到 %5）</translation>
    </message>
    <message>
        <source>, %1 for other reasons</source>
        <translation>，%1 个因其他原因关闭</translation>
    </message>
    <message>
        <source> (expected ~%1 s)</source>
        <translation>（预计约 %1 s）</translation>
    </message>
    <message>
        <source>. Restore, or Tear down.</source>
        <translation>。请恢复，或拆除。</translation>
    </message>
    <message>
        <source>; keep-alive probes sent: %1; expect the kernel to close the connections at ~%2 s</source>
        <translation>；已发送 keep-alive 探测：%1；预计内核在约 %2 s 时关闭连接</translation>
    </message>
    <message>
        <source>; closed so far: %1 (%2 by keep-alive)</source>
        <translation>；迄今已关闭：%1（%2 个由 keep-alive 关闭）</translation>
    </message>
    <message>
        <source>. Still pooled: %1.</source>
        <translation>。仍在池中：%1。</translation>
    </message>
    <message>
        <source>. TCP keep-alive is off, so nothing notices: %1 sit idle in the pool and the next request on one hangs until a timeout.</source>
        <translation>。TCP keep-alive 已关闭，所以什么都发现不了：%1在池中空闲，下一个用到它的请求会卡住直到超时。</translation>
    </message>
    <message>
        <source>dead connection</source>
        <translation>个死连接</translation>
    </message>
    <message>
        <source>dead connections</source>
        <translation>个死连接</translation>
    </message>
    <message>
        <source>; keep-alive probes sent: %1. Still pooled: %2.</source>
        <translation>；已发送 keep-alive 探测：%1。仍在池中：%2。</translation>
    </message>
    <message>
        <source>TCP keep-alive is off (Dialer.KeepAlive is negative and KeepAliveConfig.Enable is off): the kernel never checks an idle connection, so a vanished peer goes unnoticed until a request uses the connection.</source>
        <translation>TCP keep-alive 已关闭（Dialer.KeepAlive 为负数且 KeepAliveConfig.Enable 关闭）：内核从不检查空闲连接，所以对端消失后不会被发现，直到有请求使用这条连接。</translation>
    </message>
</context>
<context>
    <name>poolscope::Language</name>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>Takes effect when PoolScope restarts</source>
        <translation>重启 PoolScope 后生效</translation>
    </message>
    <message>
        <source>System default (%1)</source>
        <translation>跟随系统（%1）</translation>
    </message>
    <message>
        <source>Language saved</source>
        <translation>语言已保存</translation>
    </message>
    <message>
        <source>Language saved: %1 from the next start of PoolScope</source>
        <translation>语言已保存：下次启动 PoolScope 时使用%1</translation>
    </message>
</context>
<context>
    <name>poolscope::MainWindow</name>
    <message>
        <source>PoolScope: Go http.Transport connection pool lab</source>
        <translation>PoolScope：Go http.Transport 连接池实验室</translation>
    </message>
    <message>
        <source>The embedded server could not start: %1. Type the URL of another target above.</source>
        <translation>内置服务器无法启动：%1。请在上方输入其他目标的 URL。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>▶ Start</source>
        <translation>▶ 开始</translation>
    </message>
    <message>
        <source>Start or stop the load (Space, wherever the focus is)</source>
        <translation>开始或停止负载（空格，无论焦点在哪里）</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Stop, clear the charts and return every knob to the preset&apos;s values (Ctrl+R)</source>
        <translation>停止，清空图表，并把所有参数恢复为预设的值（Ctrl+R）</translation>
    </message>
    <message>
        <source>A scenario: knobs, load and server settings with an explanation (Ctrl+1 ... Ctrl+9)</source>
        <translation>场景：参数、负载和服务器设置，附有说明（Ctrl+1 ... Ctrl+9）</translation>
    </message>
    <message>
        <source>? Help</source>
        <translation>? 帮助</translation>
    </message>
    <message>
        <source>What am I looking at? (F1)</source>
        <translation>我在看什么？（F1）</translation>
    </message>
    <message>
        <source> Target URL </source>
        <translation> 目标 URL </translation>
    </message>
    <message>
        <source>empty = the embedded server</source>
        <translation>留空 = 内置服务器</translation>
    </message>
    <message>
        <source>The URL every worker requests. By default the embedded server PoolScope started on 127.0.0.1; type another http:// or https:// URL to load a real service and press Enter to start.</source>
        <translation>每个 worker 请求的 URL。默认是 PoolScope 在 127.0.0.1 上启动的内置服务器；输入其他 http:// 或 https:// URL 可对真实服务施加负载，按 Enter 开始。</translation>
    </message>
    <message>
        <source>Fold the explanation to its title line</source>
        <translation>把说明折叠为标题行</translation>
    </message>
    <message>
        <source>Show the whole explanation</source>
        <translation>显示完整说明</translation>
    </message>
    <message>
        <source>Settings (change them while it runs)</source>
        <translation>设置（运行中可修改）</translation>
    </message>
    <message>
        <source>Go code</source>
        <translation>Go 代码</translation>
    </message>
    <message>
        <source>The knobs (Ctrl+Shift+S)</source>
        <translation>参数（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <source>The current settings as Go code (Ctrl+Shift+G)</source>
        <translation>当前设置对应的 Go 代码（Ctrl+Shift+G）</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Dead-peer lab</source>
        <translation>死对端实验</translation>
    </message>
    <message>
        <source>Every open connection with its kernel socket (Ctrl+Shift+C)</source>
        <translation>每个打开的连接及其内核套接字（Ctrl+Shift+C）</translation>
    </message>
    <message>
        <source>Make the server vanish without a FIN and watch TCP keep-alive (Ctrl+Shift+L)</source>
        <translation>让服务器不发 FIN 就消失，观察 TCP keep-alive（Ctrl+Shift+L）</translation>
    </message>
    <message>
        <source>Successful requests per second over the last second (throughput); failed ones are attempts</source>
        <translation>最近一秒内每秒成功的请求数（吞吐量）；失败的只算尝试</translation>
    </message>
    <message>
        <source>Requests per TCP connection (connections handed to requests per connection established): total, and over the last 5 s. Single digits mean connections churn.</source>
        <translation>每个 TCP 连接的请求数（交给请求的连接数 / 建立的连接数）：总计，以及最近 5 s。个位数说明连接在频繁新建和关闭。</translation>
    </message>
    <message>
        <source>Share of requests that got a pooled (reused) connection instead of a new dial</source>
        <translation>拿到池化（复用）连接而不是新拨号的请求所占比例</translation>
    </message>
    <message>
        <source>Connections open now (active + idle) and idle in the pool</source>
        <translation>当前打开的连接（活跃 + 空闲）和池中的空闲连接</translation>
    </message>
    <message>
        <source>Sockets to the target in TIME_WAIT now, from the kernel</source>
        <translation>当前到目标处于 TIME_WAIT 的套接字，来自内核</translation>
    </message>
    <message>
        <source>Ephemeral ports held toward the target (any state, TIME_WAIT included)</source>
        <translation>到目标占用的临时端口（任何状态，含 TIME_WAIT）</translation>
    </message>
    <message>
        <source>Requests that failed</source>
        <translation>失败的请求</translation>
    </message>
    <message>
        <source>Protocol of the responses (Go&apos;s resp.Proto) and, over HTTP/2, streams open now and requests waiting for a stream</source>
        <translation>响应的协议（Go 的 resp.Proto），以及 HTTP/2 下当前打开的流和等待流的请求</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open scenario…</source>
        <translation>打开场景(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save scenario…</source>
        <translation>保存场景(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo knob change</source>
        <translation>撤销参数修改(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo knob change</source>
        <translation>重做参数修改(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>撤销 %1(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo %1</source>
        <translation>重做 %1(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <source>Embedded server address…</source>
        <translation>内置服务器地址…</translation>
    </message>
    <message>
        <source>Start / Stop</source>
        <translation>开始 / 停止</translation>
    </message>
    <message>
        <source>Reset…</source>
        <translation>重置…</translation>
    </message>
    <message>
        <source>Pause / resume charts</source>
        <translation>暂停 / 恢复图表</translation>
    </message>
    <message>
        <source>&amp;Presets</source>
        <translation>预设(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>What am I looking at?</source>
        <translation>我在看什么？</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Scenario explanation</source>
        <translation>场景说明</translation>
    </message>
    <message>
        <source>Go code dock</source>
        <translation>Go 代码面板</translation>
    </message>
    <message>
        <source>Automatic (beside the charts on wide windows)</source>
        <translation>自动（宽窗口时放在图表旁）</translation>
    </message>
    <message>
        <source>Beside the charts</source>
        <translation>放在图表旁</translation>
    </message>
    <message>
        <source>Under the settings</source>
        <translation>放在设置下方</translation>
    </message>
    <message>
        <source>Tabbed with the settings</source>
        <translation>与设置合为标签页</translation>
    </message>
    <message>
        <source>Charts only</source>
        <translation>只看图表</translation>
    </message>
    <message>
        <source>Presentation mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>Full screen with larger text, for a projector (F11)</source>
        <translation>全屏并放大文字，适合投影仪（F11）</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>文字大小</translation>
    </message>
    <message>
        <source>Larger</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Smaller</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Restart against %1</source>
        <translation>以 %1 重新开始</translation>
    </message>
    <message>
        <source>%1?</source>
        <translation>%1？</translation>
    </message>
    <message>
        <source>&lt;ul&gt;%1&lt;/ul&gt;</source>
        <translation>&lt;ul&gt;%1&lt;/ul&gt;</translation>
    </message>
    <message numerus="yes">
        <source>Your changes to %n knob(s) are discarded: %1.</source>
        <translation>
            <numerusform>你对 %n 个参数的修改将被丢弃：%1。</numerusform>
        </translation>
    </message>
    <message>
        <source>The run in progress (%1 so far) stops and its charts are cleared.</source>
        <translation>正在进行的运行（已进行 %1）将停止，其图表将被清空。</translation>
    </message>
    <message>
        <source>The charts of the last run (%1) are cleared.</source>
        <translation>上次运行（%1）的图表将被清空。</translation>
    </message>
    <message>
        <source>Your target URL %1 is replaced by the embedded server.</source>
        <translation>你的目标 URL %1 将被替换为内置服务器。</translation>
    </message>
    <message>
        <source>Your target URL %1 is replaced by %2.</source>
        <translation>你的目标 URL %1 将被替换为 %2。</translation>
    </message>
    <message>
        <source>Load preset “%1”</source>
        <translation>加载预设“%1”</translation>
    </message>
    <message>
        <source>Load %1</source>
        <translation>加载 %1</translation>
    </message>
    <message>
        <source>%1 is not on this machine: the run sends real load to it.</source>
        <translation>%1 不在本机上：本次运行会向它发送真实负载。</translation>
    </message>
    <message>
        <source>Only load servers you run or may test; a scenario file or preset chose this target, not necessarily you.</source>
        <translation>只对你自己运行或有权测试的服务器施加负载；这个目标是场景文件或预设选的，不一定是你。</translation>
    </message>
    <message>
        <source>The embedded server becomes reachable from other machines on %1: anyone who can reach it can load it and read what it serves.</source>
        <translation>内置服务器将在 %1 上对其他机器可达：任何能访问它的人都可以对它施加负载并读取它提供的内容。</translation>
    </message>
    <message>
        <source>Listen on %1</source>
        <translation>在 %1 上监听</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <source>Embedded server address</source>
        <translation>内置服务器地址</translation>
    </message>
    <message>
        <source>Address to listen on (127.0.0.1 keeps it on this machine; 0.0.0.0 or :: opens it to others):</source>
        <translation>监听地址（127.0.0.1 只限本机；0.0.0.0 或 :: 向其他机器开放）：</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an IPv4 or IPv6 address</source>
        <translation>&quot;%1&quot; 不是 IPv4 或 IPv6 地址</translation>
    </message>
    <message>
        <source>embedded server not running</source>
        <translation>内置服务器未运行</translation>
    </message>
    <message>
        <source>embedded server, port %1</source>
        <translation>内置服务器，端口 %1</translation>
    </message>
    <message>
        <source>external target</source>
        <translation>外部目标</translation>
    </message>
    <message>
        <source>The embedded server is idle on port %1</source>
        <translation>内置服务器在端口 %1 上空闲</translation>
    </message>
    <message>
        <source>the embedded server could not start: %1</source>
        <translation>内置服务器无法启动：%1</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an http:// or https:// URL</source>
        <translation>&quot;%1&quot; 不是 http:// 或 https:// URL</translation>
    </message>
    <message>
        <source>not started: %1 is not on this machine and loading it was not confirmed</source>
        <translation>未开始：%1 不在本机上，且未确认对它施加负载</translation>
    </message>
    <message>
        <source>Reset to the preset&apos;s settings</source>
        <translation>重置为预设的设置</translation>
    </message>
    <message>
        <source>■ Stop</source>
        <translation>■ 停止</translation>
    </message>
    <message>
        <source>The run stopped: every request failed for %1 s (stop when failing).</source>
        <translation>运行已停止：所有请求连续失败了 %1 s（失败时停止）。</translation>
    </message>
    <message>
        <source>Run stopped: every request failed</source>
        <translation>运行已停止：所有请求都失败了</translation>
    </message>
    <message>
        <source>Run finished</source>
        <translation>运行已结束</translation>
    </message>
    <message>
        <source>Could not run: %1</source>
        <translation>无法运行：%1</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>%1 %2 of %3</source>
        <translation>%1 %2 / %3</translation>
    </message>
    <message>
        <source>%1 %2, %3 of %4 requests</source>
        <translation>%1 %2，%3 / %4 个请求</translation>
    </message>
    <message>
        <source> (last 5 s: %1)</source>
        <translation>（最近 5 s：%1）</translation>
    </message>
    <message>
        <source> (last 5 s: no new connections)</source>
        <translation>（最近 5 s：没有新连接）</translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation>最近的错误：%1</translation>
    </message>
    <message>
        <source>Hint: %1</source>
        <translation>提示：%1</translation>
    </message>
    <message>
        <source>Most requests fail: %1 % of the requests of the last %2 s failed; %3 of %4 attempts/s succeed.</source>
        <translation>大多数请求失败：最近 %2 s 内 %1 % 的请求失败；%4 次尝试/s 中 %3 次成功。</translation>
    </message>
    <message>
        <source>%1 req/s</source>
        <translation>%1 req/s</translation>
    </message>
    <message>
        <source>%1 req/s (%2 attempts/s)</source>
        <translation>%1 req/s（%2 次尝试/s）</translation>
    </message>
    <message>
        <source>requests/connection %1</source>
        <translation>请求/连接 %1</translation>
    </message>
    <message>
        <source>reuse %1 %</source>
        <translation>复用 %1 %</translation>
    </message>
    <message>
        <source>reuse %1</source>
        <translation>复用 %1</translation>
    </message>
    <message>
        <source>open %1 / idle %2</source>
        <translation>打开 %1 / 空闲 %2</translation>
    </message>
    <message>
        <source>open %1 / idle %1</source>
        <translation>打开 %1 / 空闲 %1</translation>
    </message>
    <message>
        <source>TIME_WAIT %1</source>
        <translation>TIME_WAIT %1</translation>
    </message>
    <message>
        <source>TIME_WAIT n/a</source>
        <translation>TIME_WAIT 不可用</translation>
    </message>
    <message>
        <source>protocol %1</source>
        <translation>协议 %1</translation>
    </message>
    <message>
        <source>, streams %1 (waiting %2)</source>
        <translation>，流 %1（等待 %2）</translation>
    </message>
    <message>
        <source>errors %1</source>
        <translation>错误 %1</translation>
    </message>
    <message>
        <source>ports n/a</source>
        <translation>端口 不可用</translation>
    </message>
    <message>
        <source>ports –</source>
        <translation>端口 –</translation>
    </message>
    <message>
        <source>ports %1 % (%2)</source>
        <translation>端口 %1 %（%2）</translation>
    </message>
    <message>
        <source>%1 of %2 ephemeral ports (net.ipv4.ip_local_port_range %3-%4) are held by sockets toward the target.
net.ipv4.tcp_tw_reuse = %5, tcp_fin_timeout = %6 s, tcp_keepalive_time/intvl/probes = %7 s / %8 s / %9</source>
        <translation>%2 个临时端口（net.ipv4.ip_local_port_range %3-%4）中有 %1 个被到目标的套接字占用。
net.ipv4.tcp_tw_reuse = %5，tcp_fin_timeout = %6 s，tcp_keepalive_time/intvl/probes = %7 s / %8 s / %9</translation>
    </message>
    <message>
        <source>Open scenario</source>
        <translation>打开场景</translation>
    </message>
    <message>
        <source>PoolScope scenario (*.json)</source>
        <translation>PoolScope 场景 (*.json)</translation>
    </message>
    <message>
        <source>Cannot open scenario</source>
        <translation>无法打开场景</translation>
    </message>
    <message>
        <source>Open scenario “%1”</source>
        <translation>打开场景“%1”</translation>
    </message>
    <message>
        <source>Save scenario</source>
        <translation>保存场景</translation>
    </message>
    <message>
        <source>Cannot save scenario</source>
        <translation>无法保存场景</translation>
    </message>
    <message>
        <source>PoolScope</source>
        <translation>PoolScope</translation>
    </message>
    <message>
        <source>&lt;h3&gt;What you are looking at&lt;/h3&gt;&lt;p&gt;PoolScope runs an HTTP client whose connection pool behaves like Go&apos;s &lt;code&gt;http.Transport&lt;/code&gt; against a target (by default an embedded server on 127.0.0.1) and draws what the pool and the kernel do.&lt;/p&gt;&lt;ol&gt;&lt;li&gt;&lt;b&gt;Connections&lt;/b&gt;: open, active, idle, dialing and waiting, with dashed lines for the idle cap (MaxIdleConnsPerHost) and MaxConnsPerHost.&lt;/li&gt;&lt;li&gt;&lt;b&gt;New connections and closes per second&lt;/b&gt;: every close is coloured by its reason, named like Go&apos;s error (errTooManyIdleHost ...).&lt;/li&gt;&lt;li&gt;&lt;b&gt;Kernel sockets&lt;/b&gt;: TIME_WAIT piles up on the side that closes first: the solid line is the client&apos;s, the dashed one the server&apos;s (counted when the target runs on this machine).&lt;/li&gt;&lt;li&gt;&lt;b&gt;Latency and throughput&lt;/b&gt;: req/s counts successful requests only; the dashed attempts/s line counts failed ones too. When most requests fail, a banner above the charts gives Go&apos;s error and what to try.&lt;/li&gt;&lt;/ol&gt;&lt;p&gt;&lt;b&gt;Try it:&lt;/b&gt; pick the TIME_WAIT storm preset, press Space, watch TIME_WAIT climb and requests per connection stay in single digits; then set MaxIdleConnsPerHost to 10 in the Settings dock (click its slider and press PageUp twice). A marker shows the change on every chart and the churn stops. Ctrl+Z undoes a knob change.&lt;/p&gt;&lt;p&gt;&lt;b&gt;How close to Go:&lt;/b&gt; pool rules match Go&apos;s exactly (tests/conformance). Think time sleeps like &lt;code&gt;time.Sleep&lt;/code&gt; in a Go program, in whole milliseconds (Settings: timers). With no think time PoolScope behaves like Go with GOMAXPROCS=1; Go with more Ps churns more.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Keys&lt;/b&gt; (wherever the focus is): Space start/stop, Enter in the URL start, Ctrl+R reset, Ctrl+1…9 presets, Ctrl+Z / Ctrl+Shift+Z undo / redo a knob change, P pause charts, Ctrl+Shift+S settings, Ctrl+Shift+G Go code, Ctrl+Shift+C connections, Ctrl+Shift+L dead-peer lab, Ctrl+Shift+F charts only, F11 presentation mode, Ctrl+Plus / Ctrl+Minus / Ctrl+0 text size, F1 this help. On a knob: arrows and PageUp/PageDown step to round values. Hover any knob for its Go field and what zero means.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;你在看什么&lt;/h3&gt;&lt;p&gt;PoolScope 运行一个 HTTP 客户端，它的连接池行为与 Go 的 &lt;code&gt;http.Transport&lt;/code&gt; 一致；它对一个目标（默认是 127.0.0.1 上的内置服务器）施加负载，并画出连接池和内核在做什么。&lt;/p&gt;&lt;ol&gt;&lt;li&gt;&lt;b&gt;连接&lt;/b&gt;：打开、活跃、空闲、拨号中和等待中的数量，虚线表示空闲上限（MaxIdleConnsPerHost）和 MaxConnsPerHost。&lt;/li&gt;&lt;li&gt;&lt;b&gt;每秒新建连接与关闭&lt;/b&gt;：每次关闭按原因着色，原因按 Go 的错误命名（errTooManyIdleHost ...）。&lt;/li&gt;&lt;li&gt;&lt;b&gt;内核套接字&lt;/b&gt;：TIME_WAIT 堆积在先关闭的一方：实线是客户端的，虚线是服务器的（目标运行在本机时才统计）。&lt;/li&gt;&lt;li&gt;&lt;b&gt;延迟和吞吐量&lt;/b&gt;：req/s 只统计成功的请求；虚线 尝试/s 也包括失败的请求。大多数请求失败时，图表上方的横幅会给出 Go 的错误和可以尝试的办法。&lt;/li&gt;&lt;/ol&gt;&lt;p&gt;&lt;b&gt;试一试：&lt;/b&gt;选择 TIME_WAIT 风暴预设，按空格，看 TIME_WAIT 攀升、每连接请求数停留在个位数；然后在设置面板中把 MaxIdleConnsPerHost 设为 10（单击它的滑块，按两次 PageUp）。每个图表上都会出现一个标记显示这次修改，频繁建连随之停止。Ctrl+Z 撤销参数修改。&lt;/p&gt;&lt;p&gt;&lt;b&gt;与 Go 有多接近：&lt;/b&gt;连接池规则与 Go 完全一致（tests/conformance）。思考时间像 Go 程序中的 &lt;code&gt;time.Sleep&lt;/code&gt; 一样以整毫秒休眠（设置：定时器）。没有思考时间时，PoolScope 的行为类似 GOMAXPROCS=1 的 Go；P 更多的 Go 会更频繁地新建和关闭连接。&lt;/p&gt;&lt;p&gt;&lt;b&gt;快捷键&lt;/b&gt;（无论焦点在哪里）：空格 开始/停止，在 URL 框中按 Enter 开始，Ctrl+R 重置，Ctrl+1…9 预设，Ctrl+Z / Ctrl+Shift+Z 撤销 / 重做参数修改，P 暂停图表，Ctrl+Shift+S 设置，Ctrl+Shift+G Go 代码，Ctrl+Shift+C 连接，Ctrl+Shift+L 死对端实验，Ctrl+Shift+F 只看图表，F11 演示模式，Ctrl+Plus / Ctrl+Minus / Ctrl+0 文字大小，F1 本帮助。在参数上：方向键和 PageUp/PageDown 按整数值步进。把鼠标悬停在任一参数上可查看它对应的 Go 字段以及零值的含义。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>poolscope::SettingsPanel</name>
    <message>
        <source>Hover a knob for its Go field and what zero means. ↺ resets to Go&apos;s http.DefaultTransport value.</source>
        <translation>把鼠标悬停在参数上可查看它对应的 Go 字段以及零值的含义。↺ 重置为 Go 的 http.DefaultTransport 的值。</translation>
    </message>
    <message>
        <source>What the callers do.</source>
        <translation>调用方做什么。</translation>
    </message>
    <message>
        <source>The target PoolScope starts on 127.0.0.1. Changes apply to its next request.</source>
        <translation>PoolScope 在 127.0.0.1 上启动的目标。修改从它的下一个请求起生效。</translation>
    </message>
</context>
</TS>
