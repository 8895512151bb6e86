namespace Berth.Core.Storage;

/// <summary>Optional ability: the driver can give clients a direct, time-limited URL (e.g. an S3 pre-signed GET).</summary>
public interface IRedirectingBlobDriver
{
    /// <summary>A URL clients may fetch the file from, or null to stream it through Berth instead.</summary>
    Task<Uri?> GetRedirectUrlAsync(string path, TimeSpan validFor, CancellationToken cancellationToken);
}
