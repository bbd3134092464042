module github.com/csctp/csctp

go 1.26
