'use strict';
// A Serverless Framework plugin: when SCANHOOK_CONFIG names a file, `serverless package` and `serverless deploy`
// check it first (`npm run check-config -- FILE --deploy`) and refuse a broken one, or one that writes out a
// credential instead of an `ssm:` reference; a good file is deployed as the functions' SCANHOOK_CONFIG, and its
// watch.schedule as the watch schedule's expression.
const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');

class CheckConfig {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:initialize': () => this.check() };
  }

  check() {
    const value = (process.env.SCANHOOK_CONFIG ?? '').trim();
    if (value === '' || value.startsWith('{') || value.startsWith('ssm:')) return;
    const dir = this.serverless.serviceDir;
    const tsx = path.join(dir, 'node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, [path.join(dir, 'local', 'checkConfig.ts'), value, '--deploy'], { cwd: dir, encoding: 'utf8' });
    if (run.status !== 0) {
      throw new this.serverless.classes.Error(`SCANHOOK_CONFIG file refused:\n${run.stderr || run.stdout}`);
    }
    this.serverless.cli.log(run.stdout.trim());
    const doc = JSON.parse(readFileSync(path.resolve(dir, value), 'utf8'));
    this.serverless.service.provider.environment.SCANHOOK_CONFIG = JSON.stringify(doc);
    // The watch schedule runs at the times the config says.
    const schedule = this.serverless.service.resources?.Resources?.WatchSchedule;
    if (schedule && doc.watch?.schedule) schedule.Properties.ScheduleExpression = doc.watch.schedule.trim();
  }
}

module.exports = CheckConfig;
