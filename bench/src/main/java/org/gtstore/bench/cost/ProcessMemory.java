package org.gtstore.bench.cost;

/**
 * One process's memory at the end of a measured phase.
 *
 * @param process which process
 * @param rssKiB VmRSS then
 * @param peakRssKiB VmHWM: its highest RSS since it started
 */
public record ProcessMemory(MeasuredProcess process, long rssKiB, long peakRssKiB) {
}
