module weft.bench/goecho

go 1.19
