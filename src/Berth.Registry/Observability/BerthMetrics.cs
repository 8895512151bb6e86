using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Berth.Registry.Observability;

/// <summary>
/// Berth's own instruments (meter and activity source "Berth"): what an operator of a registry wants on top of
/// ASP.NET Core's request metrics. /v2 is one catch-all route, so requests are also measured per resource.
/// </summary>
public sealed class BerthMetrics : IDisposable
{
    public const string Name = "Berth";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private readonly Histogram<double> _v2Duration;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _uploads;
    private readonly Counter<long> _pulls;
    private readonly Counter<long> _passwordVerifications;
    private readonly Counter<long> _loginFailures;
    private readonly Counter<long> _loginsThrottled;
    private readonly Counter<long> _collectionRuns;
    private readonly Counter<long> _collectionRemoved;
    private readonly Counter<long> _collectionBytesFreed;

    public BerthMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        _v2Duration = _meter.CreateHistogram("berth.v2.request.duration", "s", "Duration of /v2 requests by resource, method and status",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
        _bytesReceived = _meter.CreateCounter<long>("berth.blob.bytes_received", "By", "Blob bytes received by uploads");
        _bytesSent = _meter.CreateCounter<long>("berth.blob.bytes_sent", "By", "Blob bytes sent by blob GETs");
        _uploads = _meter.CreateCounter<long>("berth.blob.uploads", "{blob}", "Blobs added to a repository (uploads and mounts), per registry");
        _pulls = _meter.CreateCounter<long>("berth.manifest.pulls", "{manifest}", "Manifest GETs (image pulls), per registry");
        _passwordVerifications = _meter.CreateCounter<long>("berth.auth.password_verifications", "{verification}",
            "Passwords checked against their slow hash (remembered verifications are not counted), by account kind (registry, user)");
        _loginFailures = _meter.CreateCounter<long>("berth.auth.login_failures", "{login}",
            "Failed password logins, by account kind and reason (wrong_password, unknown_account, previous_password)");
        _loginsThrottled = _meter.CreateCounter<long>("berth.auth.logins_throttled", "{login}",
            "Password logins refused with 429 before being checked, by account kind and the counter that made them wait (client, address)");
        _collectionRuns = _meter.CreateCounter<long>("berth.collection.runs", "{run}", "Runs of the collector of unreferenced blobs and storage leftovers");
        _collectionRemoved = _meter.CreateCounter<long>("berth.collection.blobs_removed", "{blob}",
            "What the collector removed, by kind (unreferenced: blobs no manifest used; untracked_file: blob files with no record; orphan_upload: upload data with no session)");
        _collectionBytesFreed = _meter.CreateCounter<long>("berth.collection.bytes_freed", "By", "Bytes of storage the collector freed, by kind");
    }

    public void RecordV2Request(string resource, string method, int status, TimeSpan elapsed) =>
        _v2Duration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("resource", resource),
            new KeyValuePair<string, object?>("method", method),
            new KeyValuePair<string, object?>("status", status));

    public void BytesReceived(long bytes) => _bytesReceived.Add(bytes);

    public void BytesSent(long bytes) => _bytesSent.Add(bytes);

    public void UploadCompleted(string registry) => _uploads.Add(1, new KeyValuePair<string, object?>("registry", registry));

    public void ManifestPulled(string registry) => _pulls.Add(1, new KeyValuePair<string, object?>("registry", registry));

    /// <summary>One run of the slow password hash; <paramref name="account"/> is <c>registry</c> or <c>user</c>.</summary>
    public void PasswordVerified(string account) => _passwordVerifications.Add(1, new KeyValuePair<string, object?>("account", account));

    public void LoginFailed(string account, string reason) =>
        _loginFailures.Add(1, new KeyValuePair<string, object?>("account", account), new KeyValuePair<string, object?>("reason", reason));

    public void LoginThrottled(string account, string scope) =>
        _loginsThrottled.Add(1, new KeyValuePair<string, object?>("account", account), new KeyValuePair<string, object?>("scope", scope));

    public void CollectionRun() => _collectionRuns.Add(1);

    public void CollectionRemoved(CollectedKind kind, long count, long bytes)
    {
        var tag = new KeyValuePair<string, object?>("kind", kind switch
        {
            CollectedKind.UntrackedFile => "untracked_file",
            CollectedKind.OrphanUpload => "orphan_upload",
            _ => "unreferenced",
        });
        _collectionRemoved.Add(count, tag);
        _collectionBytesFreed.Add(bytes, tag);
    }

    public void Dispose() => _meter.Dispose();
}
