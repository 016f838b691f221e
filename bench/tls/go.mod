module weft.bench/tlsbench

go 1.19
