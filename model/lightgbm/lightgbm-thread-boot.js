// Entry of a training thread: a worker thread starts as plain Node.js, so it registers tsx (TypeScript) first,
// whether the parent runs under tsx, jest or compiled code.
'use strict';
require('tsx/cjs/api').register();
require('./lightgbm-thread.ts');
