package main // x
