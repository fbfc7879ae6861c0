/** The rollups' latency histogram: fixed log-scale buckets and the stated relative error. */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../emulator/src/index.ts";
import {
	BUCKET_FLOORS,
	bucketLatency,
	emptyHistogram,
	type Histogram,
	LATENCY_RELATIVE_ERROR,
	latencyBucket,
	quantile,
} from "../../src/store/rollups";

const LAST_FLOOR = BUCKET_FLOORS.at(-1) as number;

describe("latency buckets", () => {
	it("grow by 2^(1/4) from 1 ms to about 10 minutes", () => {
		expect(BUCKET_FLOORS[0]).toBe(1);
		expect(LAST_FLOOR).toBeGreaterThan(600_000);
		expect(LAST_FLOOR).toBeLessThan(2 ** (1 / 4) * 600_000);
		expect(BUCKET_FLOORS).toEqual([...BUCKET_FLOORS].sort((a, b) => a - b));
	});

	it("read every whole ms up to the last bound within the stated relative error", () => {
		expect(LATENCY_RELATIVE_ERROR).toBeCloseTo((2 ** 0.25 - 1) / (2 ** 0.25 + 1), 3);
		expect(latencyBucket(0)).toBe(0);
		expect(bucketLatency(0)).toBe(0);
		let worst = 0;
		// Bucket k holds the whole ms from floor k - 1 to floor k, less one; some hold none.
		for (let bucket = 1; bucket < BUCKET_FLOORS.length; bucket++) {
			const lo = BUCKET_FLOORS[bucket - 1] as number;
			const hi = (BUCKET_FLOORS[bucket] as number) - 1;
			if (hi < lo) continue;
			expect([latencyBucket(lo), latencyBucket(hi)]).toEqual([bucket, bucket]);
			expect(latencyBucket(hi + 1)).toBeGreaterThan(bucket);
			// The read latency lies between the two ends: the error is largest at one of them.
			const read = bucketLatency(bucket);
			expect(read).toBeGreaterThanOrEqual(lo);
			expect(read).toBeLessThanOrEqual(hi);
			worst = Math.max(worst, (read - lo) / lo, (hi - read) / hi);
		}
		expect(worst).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
		// Tight: the widest buckets come close to it.
		expect(worst).toBeGreaterThan(LATENCY_RELATIVE_ERROR - 0.002);
	});

	it("put everything from the last bound in the last bucket, read as that bound", () => {
		const last = latencyBucket(LAST_FLOOR);
		expect(last).toBe(BUCKET_FLOORS.length);
		expect(latencyBucket(3_600_000)).toBe(last);
		expect(bucketLatency(last)).toBe(LAST_FLOOR);
	});
});

describe("quantiles from a histogram", () => {
	const histogram = (latencies: number[]): Histogram => {
		const counts = emptyHistogram();
		for (const ms of latencies) {
			const bucket = latencyBucket(ms);
			counts[bucket] = (counts[bucket] ?? 0) + 1;
		}
		return counts;
	};

	it("interpolate between the nearest ranks, as the exact quantile does", () => {
		// Buckets of one whole ms each read exactly: 1, 2, 3 and 4 ms.
		const small = histogram([4, 1, 3, 2]);
		expect(quantile(small, 0.5)).toBe(2.5);
		expect(quantile(small, 0)).toBe(1);
		expect(quantile(small, 1)).toBe(4);
		expect(quantile(small, 0.9)).toBeCloseTo(3.7, 10);
		expect(quantile(emptyHistogram(), 0.5)).toBeNull();
	});

	it("stay within the stated relative error of the exact ones", () => {
		const random = seededRandom(7);
		for (let run = 0; run < 50; run++) {
			const latencies = Array.from({ length: 1 + Math.floor(random() * 300) }, () =>
				Math.floor(20 * 10_000 ** random()),
			).sort((a, b) => a - b);
			for (const p of [0.5, 0.9, 0.99]) {
				const rank = (latencies.length - 1) * p;
				const below = latencies[Math.floor(rank)] as number;
				const exact =
					below + (rank - Math.floor(rank)) * ((latencies[Math.ceil(rank)] as number) - below);
				const estimate = quantile(histogram(latencies), p) as number;
				expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(
					LATENCY_RELATIVE_ERROR * exact + 1e-9,
				);
			}
		}
	});
});
