#!/usr/bin/env node
console.log('ballast');
