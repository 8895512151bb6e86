namespace Berth.Core.Metadata;

/// <summary>
/// One advisory as imported: its OSV id (globally unique across OSV databases), the source it was imported from
/// (e.g. the file or archive name), its OSV <c>modified</c> time, and the OSV JSON document itself.
/// </summary>
public sealed record AdvisoryDocument(string Id, string Source, DateTimeOffset? Modified, string Json);
