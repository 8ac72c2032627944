package main // y
