# Build the Windows installer on a Windows 10/11 machine with Python 3.11 and NSIS 3:
#   dist\CarbonDesk\                       the frozen one-folder app (carbondesk.exe, carbondesk-gui.exe)
#   dist\CarbonDesk-<version>-setup.exe    the per-user installer (no administrator rights needed)
# Signs the two programs, the uninstaller and the installer with Authenticode and a timestamp when a
# certificate is given (signtool from the Windows SDK, else osslsigncode). Prints the sizes and fails
# when the targets are exceeded (bundle <= 200 MB, installer <= 70 MB).
#
#   powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1
#   powershell -ExecutionPolicy Bypass -File installer\build-windows.ps1 -Certificate codesign.pfx `
#       -CertificatePasswordEnv CODESIGN_PASSWORD -TimestampUrl http://timestamp.digicert.com
param(
    [string]$Python = "py -3.11",
    [string]$Certificate = "",
    [string]$CertificatePasswordEnv = "CODESIGN_PASSWORD",
    [string]$TimestampUrl = "http://timestamp.digicert.com",
    [int]$BundleMaxMB = 200,
    [int]$SetupMaxMB = 70
)
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)
$Root = (Get-Location).Path
$Version = (Select-String -Path "desktop\__init__.py" -Pattern '^__version__ = "(.+)"').Matches[0].Groups[1].Value
if (-not $Version) { throw "no __version__ in desktop\__init__.py" }
Write-Host "== CarbonDesk $Version for Windows"

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit $LASTEXITCODE" }
}

# a build environment of its own, with the pinned versions (constraints.txt) that make and CI use
$Venv = Join-Path $Root "build\venv-windows"
if (-not (Test-Path "$Venv\Scripts\python.exe")) {
    $parts = $Python.Split(" ")
    Invoke-Checked $parts[0] ($parts[1..($parts.Length - 1)] + @("-m", "venv", $Venv))
}
$Py = "$Venv\Scripts\python.exe"
Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "-c", "constraints.txt", "-e", ".[installer]")
$Qm = "resources\translations\carbondesk_zh_CN.qm"
if (-not (Test-Path $Qm)) {
    Invoke-Checked "$Venv\Scripts\pyside6-lrelease.exe" @("-silent", "resources\translations\carbondesk_zh_CN.ts", "-qm", $Qm)
}

Remove-Item -Recurse -Force -ErrorAction SilentlyContinue "dist\CarbonDesk", "build\pyinstaller"
Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "installer\carbondesk.spec")

# Authenticode: signtool when the Windows SDK is there, else osslsigncode
function Set-Signature([string]$File) {
    if (-not $Certificate) { return }
    $password = [Environment]::GetEnvironmentVariable($CertificatePasswordEnv)
    $signtool = Get-Command signtool.exe -ErrorAction SilentlyContinue
    if ($signtool) {
        $arguments = @("sign", "/fd", "SHA256", "/f", $Certificate, "/tr", $TimestampUrl, "/td", "SHA256",
            "/d", "CarbonDesk")
        if ($password) { $arguments += @("/p", $password) }
        Invoke-Checked $signtool.Source ($arguments + @($File))
        Invoke-Checked $signtool.Source @("verify", "/pa", $File)
    } else {
        $osslsigncode = (Get-Command osslsigncode.exe -ErrorAction Stop).Source
        $signed = "$File.signed"
        $arguments = @("sign", "-pkcs12", $Certificate, "-h", "sha256", "-n", "CarbonDesk", "-ts", $TimestampUrl,
            "-in", $File, "-out", $signed)
        if ($password) { $arguments += @("-pass", $password) }
        Invoke-Checked $osslsigncode $arguments
        Move-Item -Force $signed $File
        Invoke-Checked $osslsigncode @("verify", "-in", $File)
    }
    Write-Host "signed: $File"
}
Set-Signature "dist\CarbonDesk\carbondesk.exe"
Set-Signature "dist\CarbonDesk\carbondesk-gui.exe"

$BundleMB = [math]::Ceiling(((Get-ChildItem -Recurse "dist\CarbonDesk" | Measure-Object -Property Length -Sum).Sum) / 1MB)
Write-Host "bundle: dist\CarbonDesk  $BundleMB MB (target <= $BundleMaxMB MB)"

# smoke: the frozen command runs, calculates and writes a PDF on this machine
$Smoke = Join-Path $env:TEMP "carbondesk-smoke-$PID"
$env:CARBONDESK_DATA_DIR = "$Smoke\data"
Invoke-Checked "dist\CarbonDesk\carbondesk.exe" @("--lang", "en", "demo", "--json-out", "$Smoke\demo.json")
Invoke-Checked "dist\CarbonDesk\carbondesk.exe" @("--lang", "zh", "calc", "$Smoke\demo.json")
Invoke-Checked "dist\CarbonDesk\carbondesk.exe" @("--lang", "en", "demo")
Invoke-Checked "dist\CarbonDesk\carbondesk.exe" @("--lang", "en", "export-pdf", "$Smoke\report.pdf")
Remove-Item Env:\CARBONDESK_DATA_DIR
Remove-Item -Recurse -Force $Smoke

$makensis = Get-Command makensis.exe -ErrorAction SilentlyContinue
if (-not $makensis) {
    foreach ($candidate in @("${env:ProgramFiles(x86)}\NSIS\makensis.exe", "$env:ProgramFiles\NSIS\makensis.exe")) {
        if (Test-Path $candidate) { $makensis = Get-Item $candidate }
    }
}
if (-not $makensis) { throw "NSIS 3 (makensis.exe) not found: install it from https://nsis.sourceforge.io" }
$Setup = "dist\CarbonDesk-$Version-setup.exe"
# the uninstaller is written by the installer; !uninstfinalize could sign it too with a certificate
Invoke-Checked $makensis.Source @("/V2", "/INPUTCHARSET", "UTF8", "/DVERSION=$Version", "/DBUNDLE=$Root\dist\CarbonDesk",
    "/DOUTFILE=$Root\$Setup", "/DICON=$Root\resources\icons\carbondesk.ico", "installer\carbondesk.nsi")
Set-Signature $Setup
$SetupMB = [math]::Ceiling((Get-Item $Setup).Length / 1MB)
Write-Host "installer: $Setup  $SetupMB MB (target <= $SetupMaxMB MB)"
if ($BundleMB -gt $BundleMaxMB) { throw "the bundle is larger than $BundleMaxMB MB" }
if ($SetupMB -gt $SetupMaxMB) { throw "the installer is larger than $SetupMaxMB MB" }
