c++ -std=c++20 -O2 -Iinclude src/main.cpp src/echo_check.cpp -o app $(pkg-config --cflags --libs weft)
