# Sourced by the bench scripts: the loopback nginx they load. nginx_conf DIR PORT prints
# its configuration (pid, logs and temp paths under DIR): one worker, keep-alive for good
# (1,000,000 requests, 300 s), a 16-byte answer on /, and stub_status on /nginx_status
# (bench/run.sh's GUI row counts the engine's requests from outside the app with it).
nginx_conf() {
    local dir=$1 port=$2 t
    echo "worker_processes 1;"
    echo "daemon off;"
    echo "pid $dir/nginx.pid;"
    echo "error_log $dir/error.log warn;"
    [ "$(id -u)" = 0 ] && echo "user root root;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log off;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $dir/$t;"; done
    echo "  keepalive_requests 1000000;"
    echo "  keepalive_timeout 300s;"
    echo "  server { listen 127.0.0.1:$port;"
    echo "    location / { return 200 \"hello poolscope\\n\"; }"
    echo "    location = /nginx_status { stub_status; } }"
    echo "}"
}
