module github.com/framesched/framesched

go 1.26

require github.com/benbjohnson/clock v1.3.5

require github.com/yuin/gopher-lua v1.1.2
