# The seed's app.go, as a shell program: greet the user running it.
user=$(whoami) || exit 1
echo "Hello, $user!"
