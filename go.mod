module github.com/zhuisu/zhuisu

go 1.26
