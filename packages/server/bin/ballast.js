#!/usr/bin/env node
// A committed launcher, so `pnpm install` can link the `ballast` bin before the package is built;
// the CLI itself is the build output.
import '../dist/cli/main.js';
