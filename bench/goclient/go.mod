module poolscope/bench/goclient

go 1.19
