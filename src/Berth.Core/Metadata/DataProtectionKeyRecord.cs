namespace Berth.Core.Metadata;

/// <summary>One element of the data-protection key ring: its name (e.g. <c>key-&lt;guid&gt;</c>) and its XML text.</summary>
public sealed record DataProtectionKeyRecord(string FriendlyName, string Xml, DateTimeOffset CreatedAt);
