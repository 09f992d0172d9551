-- wrk script: PUT a fixed 4 KiB body to the (presigned) URL given on the command line.
wrk.method = "PUT"
wrk.body = string.rep("s", 4096)
wrk.headers["Content-Type"] = "application/octet-stream"

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
