import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * scanhook's metrics, in CloudWatch's embedded metric format (EMF): each is written as one log line at once, so it
 * needs no flush and carries its own dimension. In local mode the lines go to the same output as the logs.
 */
const metrics = new Metrics({ namespace: 'scanhook', serviceName: 'scanhook' });

/** Records `value` of metric `name`, with at most one dimension of its own (e.g. `scannerType`). */
export const recordMetric = (name: string, dimension?: [string, string], value = 1, unit: Unit = MetricUnit.Count): void => {
  const single = metrics.singleMetric();
  if (dimension) single.addDimension(...dimension);
  single.addMetric(name, unit, value);
};

/** A duration in seconds, e.g. `ScanSeconds`. */
export const recordSeconds = (name: string, seconds: number, dimension?: [string, string]): void =>
  recordMetric(name, dimension, Math.max(0, seconds), MetricUnit.Seconds);
