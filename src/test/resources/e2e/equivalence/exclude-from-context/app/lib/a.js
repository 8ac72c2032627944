app/lib/a.js
