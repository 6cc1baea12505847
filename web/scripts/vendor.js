// Copies the browser build of socket.io-client next to the widget, so the
// widget loads it from its own origin (no CDN, no bundler).
"use strict";
const fs = require("fs");
const path = require("path");

// Read from node_modules directly: the package's "exports" map hides dist/.
const packageDir = path.join(__dirname, "..", "node_modules", "socket.io-client");
const targetDir = path.join(__dirname, "..", "widget", "vendor");
const bundle = path.join(packageDir, "dist", "socket.io.min.js");
if (!fs.existsSync(bundle)) {
  console.error(`${bundle} is missing: run \`npm ci\` in web/ first`);
  process.exit(1);
}
fs.mkdirSync(targetDir, { recursive: true });
for (const name of ["socket.io.min.js", "socket.io.min.js.map"]) {
  const from = path.join(packageDir, "dist", name);
  if (fs.existsSync(from)) fs.copyFileSync(from, path.join(targetDir, name));
}
const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
console.log(`socket.io-client ${version} copied to web/widget/vendor/`);
