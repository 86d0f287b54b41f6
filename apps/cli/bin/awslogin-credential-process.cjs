#!/usr/bin/env node
// One global install of @awslogin/cli gives both binaries: this is @awslogin/credential-process's,
// a small CommonJS file that never loads oclif.
require("@awslogin/credential-process/bin");
