app/vendor/x/index.js
