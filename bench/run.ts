import { measureBundles, nodeVersion } from './bundles.js';
import { coalescedStartCalls } from './coalescing.js';
import { coldStartRows, measureColdStarts } from './coldStart.js';
import { scaleRun } from './scale.js';
import { scanEventToMessage } from './scanEvents.js';
import { baselineCosts, huaweiScanCosts, sasCosts, scanCosts, worstDelays } from './scans.js';
import { scanToMessage } from './scanToMessage.js';
import { hssSweepStarts, sweepCosts } from './sweep.js';
import { onPushThroughput } from './throughput.js';

const BURST_NOTE = 'pushed together, scans of 8 s';

/** `npm run bench`: the figures the issues set bars for. */
const BARS = { onPushKiB: 150, functionKiB: 700, rssMb: 90 };

const table = (rows: Record<string, unknown>[]) => {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v));
  return [cols.join(' | '), cols.map(() => '---').join(' | '), ...rows.map((r) => cols.map((c) => cell(r[c])).join(' | '))].map((l) => `| ${l} |`).join('\n');
};

const ok = (pass: boolean) => (pass ? 'ok' : 'OVER BAR');

console.log(`scanhook bench · ${nodeVersion()} · ${new Date().toISOString()}\n`);

// A bundle that cannot be built or loaded is reported, and fails the run, without hiding the figures that follow.
const bundles = await measureBundles().catch((err: Error) => {
  process.exitCode = 1;
  console.log(`## Functions: FAILED to build or load a bundle: ${err.message.split('\n').find((l) => /Error:/.test(l)) ?? err.message}\n`);
  return undefined;
});
if (bundles) {
  console.log('## Functions (minified ESM bundle; median load of 11 fresh processes)\n');
  console.log(
    table(
      bundles.map((b) => ({
        function: b.name,
        'bundle KiB': b.sizeKiB,
        'load ms': b.loadMs,
        'peak RSS MB': b.peakRssMb,
        'size bar': ok(b.sizeKiB <= (b.name === 'onPush' ? BARS.onPushKiB : BARS.functionKiB)),
        'RSS bar': ok(b.peakRssMb <= BARS.rssMb),
      })),
    ),
  );
}

// From the zips `npm run package` builds; a function that fails its first invocation fails the run.
const cold = await measureColdStarts().catch((err: Error) => {
  process.exitCode = 1;
  console.log(`\n## Cold start: FAILED: ${err.message}\n`);
  return undefined;
});
if (cold) {
  const { rows } = coldStartRows(cold);
  console.log(
    '\n## Cold start from the packaged zips (module load + first invocation: config from SSM, one SQS send; median of 7 fresh processes; anchors: the same work on the official SDKs, bench/anchors/)\n',
  );
  console.log(table(rows));
}

const throughput = await onPushThroughput();
console.log(`\n## onPush in-process: ${Math.round(throughput.perSecond)} webhooks/s (${throughput.queued} scan jobs queued)\n`);

const scans = await scanCosts();
console.log('## Per scan (polling defaults 5 s / 30 s; virtual clock; vendor calls counted at the ACR simulator)\n');
console.log(
  table(
    scans.map((s) => ({
      'scan lasts': `${s.scanSeconds} s`,
      'status checks': s.statusChecks,
      'bar (T/30+8)': s.statusCheckBar,
      'all ACR calls': s.vendorCalls,
      'message delay s': s.delaySeconds,
      'delay bar s': s.delayBar,
      'anchor checks': s.anchorStatusChecks,
      'anchor delay s': s.anchorDelaySeconds,
      verdict: ok(s.statusChecks <= s.statusCheckBar && s.delaySeconds <= s.delayBar),
    })),
  ),
);
const young = worstDelays(1, 60);
const older = worstDelays(61, 3600);
console.log(
  `\nWorst message delay over every scan length: within the first minute ${young.ours} s (bar 10, anchor ${young.anchor}); longer scans ${older.ours} s (bar 30, anchor ${older.anchor}) → ${ok(young.ours <= 10 && older.ours <= 30)}`,
);
const sas = await sasCosts();
console.log('\n## SAS vendor calls per scanned image (pushes arriving together; scans lasting 2 min; counted at the SAS simulator)\n');
console.log(
  table(
    sas.map((s) => ({
      'pushes together': s.images,
      repositories: s.repositories,
      'create calls (incl. sync-and-create)': s.createCalls,
      'status checks per image': s.statusChecksPerImage,
      'ACR GetRepository': s.acrCalls,
      'all vendor calls': s.vendorCalls,
      'calls per image': s.callsPerImage,
    })),
  ),
);
console.log('\nMessage delay here = time from scan completion to the status check that sees it (virtual clock); the queue hops are measured end to end below.');

const endToEnd = await scanToMessage();
console.log(
  '\n## Scan end → chat message, end to end (local mode, deployed queue settings, default polling; ACR scans of fixed length, one Slack channel each)\n',
);
console.log(
  table(
    endToEnd.rows.map((r) => ({
      'scan lasts': `${r.scanSeconds} s`,
      '202 → start call s': r.startSeconds,
      'start bar s': 2,
      'scan end → message s': r.messageSeconds,
      'message bar s': r.bar,
      verdict: ok(r.startSeconds <= 2 && r.messageSeconds <= r.bar),
    })),
  ),
);
const { burst } = endToEnd;
console.log(
  `\nBurst: ${burst.results} results (${BURST_NOTE}) for one Slack channel → ${burst.posts} post(s), worst ${burst.worstMessageSeconds.toFixed(1)} s after its scan ended; Slack's limit ${burst.limitBroken ? 'BROKEN' : 'kept'} → ${ok(burst.posts === 1 && !burst.limitBroken)}`,
);

const huawei = await huaweiScanCosts();
console.log('\n## Huawei Cloud per scan (same schedule; vendor calls counted at the SWR EE and HSS simulators, AK/SK-signed)\n');
console.log(
  table(
    huawei.map((h) => ({
      scanner: h.scanner,
      'scan lasts': `${h.scanSeconds} s`,
      'status checks': h.statusChecks,
      'all vendor calls': h.vendorCalls,
    })),
  ),
);
console.log(
  '\nSWR EE: 1 start + 1 artifact read per check + 2 for the report. HSS: 1 start (shared by its whole SQS batch) + 1 image-list read per check + 4 for the report (list, 3 counts by repair necessity).',
);
const baseline = await baselineCosts();
console.log(
  '\n## The baseline: report of a finished scan without and with the comparison (both whole lists + finding the previous tag), counted at each simulator\n',
);
console.log(
  table(
    baseline.map((b) => ({
      scanner: b.scanner,
      findings: b.findings,
      'report calls, no baseline': b.reportCallsBefore,
      'report calls, with baseline': b.reportCallsWithBaseline,
      'of which the baseline': b.baselineCalls,
      'report ms, no baseline': b.reportMsBefore,
      'report ms, with baseline': b.reportMsWithBaseline,
    })),
  ),
);
const twoMinute = {
  ACR: scans.find((r) => r.scanSeconds === 120)!.vendorCalls,
  'Security Center': sas.find((r) => r.images === 1)!.vendorCalls,
  'SWR EE': huawei.find((r) => r.scanner === 'SWR EE' && r.scanSeconds === 120)!.vendorCalls,
  HSS: huawei.find((r) => r.scanner === 'HSS' && r.scanSeconds === 120)!.vendorCalls,
};
console.log('\nAll vendor calls of one 2-min scan of a 30-finding image, before → with the baseline (`baseline: "none"` keeps the first figure):');
for (const [scanner, calls] of Object.entries(twoMinute)) {
  const row = baseline.find((b) => b.scanner === scanner && b.findings === 30)!;
  console.log(`- ${scanner}: ${calls} → ${calls - row.reportCallsBefore + row.reportCallsWithBaseline}`);
}
console.log(
  '\nThe time from scan completion to message grows by the report-time difference above: the check that sees the scan finished (≤ 7 s into the first minute, ≤ 29 s after) and the notify hop are unchanged. Pages are read one at a time per list, at most 2 in flight per scanner client.',
);

const coalesced = await coalescedStartCalls(100, 10);
console.log("\n## Start calls per 100 pushes arriving within 10 s (end to end through local mode, 100 repositories, the scan queue's 10 s batching window)\n");
console.log(
  table(
    coalesced.map((c) => ({
      scanner: c.scanner,
      'start calls': c.startCalls,
      bar: c.scanner === 'acr' ? 'anchor (one per push)' : '≤ 10',
      'all started after s': c.seconds.toFixed(1),
      verdict: c.scanner === 'acr' ? '' : ok(c.startCalls <= 10),
    })),
  ),
);
console.log('\nLocal mode gathers the scan queue with one poller; on AWS, Lambda may split a burst between a few pollers (README, "Coalescing caveat").');

const eventDelays = await scanEventToMessage(5);
console.log('\n## ScanCompleted event → chat message (ACR EE events, end to end through local mode with the deployed queue settings; 5 events each)\n');
console.log(table(eventDelays.map((d) => ({ route: d.route, 'median s': d.median, 'max s': d.max, bar: '3 s', verdict: ok(d.max <= 3) }))));
const sweep = await sweepCosts();
console.log(
  `\n## One sweep of ${sweep.images} images (100 repositories × 3 tags, ACR simulator, local mode, deployed queue settings); ${sweep.gained} gained a finding since their last scan\n`,
);
console.log(table(Object.entries(sweep.byApi).map(([api, calls]) => ({ 'ACR API': api, calls }))));
const perChannel = sweep.messages.feishu === sweep.gained && sweep.messages.webhook === sweep.gained;
console.log(
  `\nStart calls: ${sweep.startCalls} (ACR starts one tag per call, at most 8 at a time) · finished in ${sweep.seconds.toFixed(1)} s · messages: Feishu ${sweep.messages.feishu}, HTTP ${sweep.messages.webhook} (bar: exactly ${sweep.gained} per channel → ${ok(perChannel)}), Slack ${sweep.messages.slack} (${sweep.slackSummaries} of them a summary: Slack takes 1 post a second, so results finishing together are combined as for pushes)`,
);
const hssSweep = await hssSweepStarts();
console.log(
  `\nHSS, one sweep of ${hssSweep.images} images (100 repositories × 10 tags): ${hssSweep.startCalls} start calls (bar ≤ 100 → ${ok(hssSweep.startCalls <= 100)}), all started after ${hssSweep.seconds.toFixed(1)} s`,
);
const scale = await scaleRun();
console.log(
  `\n## Scale: ${scale.accepted} of ${scale.pushes} pushes accepted within ${scale.pushSeconds.toFixed(0)} s (ACR, Security Center, HSS round robin; deployed queue settings, default polling; each function instance in a process of its own)\n`,
);
console.log(
  table(
    scale.channels.map((c) => ({
      channel: `${c.channel} (${c.type})`,
      images: c.images,
      posts: c.posts,
      missing: c.missing,
      duplicated: c.duplicated,
      'busiest window': c.worstWindow ? `${c.worstWindow.posts} in ${c.worstWindow.seconds} s` : 'no limit',
      'limit bar': c.worstWindow ? `≤ ${c.worstWindow.limit}` : '',
      'refused (429 or size)': c.refused,
      'size violations': c.violations,
      verdict: ok(
        c.missing === 0 && c.duplicated === 0 && c.refused === 0 && c.violations === 0 && (!c.worstWindow || c.worstWindow.posts <= c.worstWindow.limit),
      ),
    })),
  ),
);
const rss = Object.entries(scale.peakRssMb)
  .map(([fn, mb]) => `${fn} ${mb.toFixed(0)}`)
  .join(', ');
const dead = Object.values(scale.deadLetters).reduce((a, b) => a + b, 0);
console.log(
  `\nSecurity Center start calls: ${scale.sasStartCalls} (bar ≤ 100) → ${ok(scale.sasStartCalls <= 100)}; HSS ${scale.hssStartCalls}; ACR ${scale.acrStartCalls} (one per push)`,
);
console.log(`Peak RSS per function process, MB: ${rss} (bar ≤ 128) → ${ok(Object.values(scale.peakRssMb).every((mb) => mb <= 128))}`);
console.log(
  `Time to drain (first push → last message): ${scale.drainSeconds.toFixed(0)} s${scale.drained ? '' : ' — NOT DRAINED: messages were left in the queues'}; dead letters: ${dead}`,
);
