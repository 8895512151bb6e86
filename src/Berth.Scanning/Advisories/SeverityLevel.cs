namespace Berth.Scanning.Advisories;

/// <summary>Qualitative severity, as CVSS v3.x §5 rates base scores.</summary>
public enum SeverityLevel { Unknown, None, Low, Medium, High, Critical }
