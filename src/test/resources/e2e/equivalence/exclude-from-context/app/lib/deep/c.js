app/lib/deep/c.js
