; CarbonDesk installer (NSIS 3, Modern UI 2): a per-user install that needs no administrator rights.
;
;   makensis -DVERSION=0.1.0 -DBUNDLE=dist\CarbonDesk -DOUTFILE=dist\CarbonDesk-0.1.0-setup.exe installer\carbondesk.nsi
;
; - installs into %LOCALAPPDATA%\Programs\CarbonDesk, registers an uninstall entry under HKCU, a Start-menu
;   shortcut and (optional) a desktop shortcut; Chinese first, English second;
; - silent for IT roll-out: `setup.exe /S` (add /NODESKTOP for no desktop shortcut, /D=path to choose the folder);
; - upgrades in place: the previous version's program files are replaced, nothing else;
; - the uninstaller removes the program only: workspaces, backups, the signing key and settings live in
;   %LOCALAPPDATA%\CarbonDesk and stay;
; - refuses Windows older than 10 version 1809 (build 17763), which Qt 6 needs, before installing anything.
;
; EXE_SUFFIX is ".exe" for the real Windows bundle; installer/build-linux.sh passes "" to check the script
; against the Linux bundle's files.

Unicode true
SetCompressor /SOLID lzma
SetCompressorDictSize 64
RequestExecutionLevel user
ManifestDPIAware true

!ifndef VERSION
  !error "VERSION is required: makensis -DVERSION=x.y.z"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\dist\CarbonDesk"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\CarbonDesk-${VERSION}-setup.exe"
!endif
!ifndef EXE_SUFFIX
  !define EXE_SUFFIX ".exe"
!endif
!ifndef ICON
  !define ICON "..\resources\icons\carbondesk.ico"
!endif

!define APP "CarbonDesk"
!define GUI_EXE "carbondesk-gui${EXE_SUFFIX}"
!define CLI_EXE "carbondesk${EXE_SUFFIX}"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define MIN_BUILD 17763 ; Windows 10 version 1809

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APP}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "CompanyName" "${APP}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${APP}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${GUI_EXE}"
!define MUI_LANGDLL_REGISTRY_ROOT "HKCU"
!define MUI_LANGDLL_REGISTRY_KEY "Software\${APP}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

; Chinese first: the default and the first in the language list
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString TooOld ${LANG_SIMPCHINESE} "CarbonDesk 需要 Windows 10 1809 或更高版本（本机版本号 $0）。请先升级 Windows，未安装任何内容。"
LangString TooOld ${LANG_ENGLISH} "CarbonDesk needs Windows 10 version 1809 or later (this PC is build $0). Please update Windows first; nothing was installed."
LangString StillRunning ${LANG_SIMPCHINESE} "CarbonDesk 正在运行。请关闭所有 CarbonDesk 窗口后点“重试”。您的数据不受影响。"
LangString StillRunning ${LANG_ENGLISH} "CarbonDesk is running. Close every CarbonDesk window, then choose Retry. Your data is not affected."
LangString DataKept ${LANG_SIMPCHINESE} "程序已卸载。您的工作区、备份、签名证书和设置保留在 $LOCALAPPDATA\${APP}。"
LangString DataKept ${LANG_ENGLISH} "The program was removed. Your workspaces, backups, signing certificate and settings stay in $LOCALAPPDATA\${APP}."
LangString SecProgram ${LANG_SIMPCHINESE} "CarbonDesk 程序（必需）"
LangString SecProgram ${LANG_ENGLISH} "CarbonDesk program (required)"
LangString SecDesktop ${LANG_SIMPCHINESE} "桌面快捷方式"
LangString SecDesktop ${LANG_ENGLISH} "Desktop shortcut"
LangString ShortcutName ${LANG_SIMPCHINESE} "CarbonDesk 碳排放填报"
LangString ShortcutName ${LANG_ENGLISH} "CarbonDesk"

Function .onInit
  SetShellVarContext current
  ; Qt 6 needs Windows 10 1809 (build 17763) or later: say so, install nothing
  ReadRegStr $0 HKLM "SOFTWARE\Microsoft\Windows NT\CurrentVersion" "CurrentBuildNumber"
  ${If} $0 != ""
  ${AndIf} $0 < ${MIN_BUILD}
    MessageBox MB_OK|MB_ICONSTOP "$(TooOld)" /SD IDOK
    Abort
  ${EndIf}
  ${IfNot} ${Silent}
    !insertmacro MUI_LANGDLL_DISPLAY
  ${EndIf}
FunctionEnd

Function un.onInit
  SetShellVarContext current
  !insertmacro MUI_UNGETLANGUAGE
FunctionEnd

; A running CarbonDesk holds its files: ask to close it instead of leaving a half-replaced program
!macro WaitUntilClosed EXE
  ${If} ${FileExists} "$INSTDIR\${EXE}"
    retry_${EXE}:
    ClearErrors
    Rename "$INSTDIR\${EXE}" "$INSTDIR\${EXE}.closing"
    ${If} ${Errors}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(StillRunning)" /SD IDCANCEL IDRETRY retry_${EXE}
      Abort
    ${EndIf}
    Rename "$INSTDIR\${EXE}.closing" "$INSTDIR\${EXE}"
  ${EndIf}
!macroend

Section "!$(SecProgram)" SecProgram
  SectionIn RO
  SetOutPath "$INSTDIR"
  !insertmacro WaitUntilClosed "${GUI_EXE}"
  !insertmacro WaitUntilClosed "${CLI_EXE}"
  ; upgrade in place: the previous version's program files go, the user's data (elsewhere) is not touched
  RMDir /r "$INSTDIR\_internal"
  File "${BUNDLE}\${GUI_EXE}"
  File "${BUNDLE}\${CLI_EXE}"
  File /r "${BUNDLE}\_internal"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\$(ShortcutName).lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  CreateShortcut "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${GUI_EXE}"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

Section "$(SecDesktop)" SecDesktop
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/NODESKTOP" $1
  ${If} ${Errors}
    CreateShortcut "$DESKTOP\$(ShortcutName).lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0
  ${EndIf}
SectionEnd

Section "Uninstall"
  ; the program only, by name: never a recursive delete of the install folder (a user may have put files there)
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; the shortcuts under both languages' names (installed in one, perhaps removed in the other)
  Delete "$SMPROGRAMS\${APP}\CarbonDesk 碳排放填报.lnk"
  Delete "$SMPROGRAMS\${APP}\CarbonDesk.lnk"
  Delete "$SMPROGRAMS\${APP}\Uninstall ${APP}.lnk"
  RMDir "$SMPROGRAMS\${APP}"
  Delete "$DESKTOP\CarbonDesk 碳排放填报.lnk"
  Delete "$DESKTOP\CarbonDesk.lnk"
  DeleteRegKey HKCU "${UNINST_KEY}"
  ; the installer's language choice only: the app's own settings live under the same key and stay
  DeleteRegValue HKCU "Software\${APP}" "InstallerLanguage"
  DeleteRegKey /ifempty HKCU "Software\${APP}"
  ; %LOCALAPPDATA%\CarbonDesk (workspaces, backups, signer, settings) is left as it is
  MessageBox MB_OK|MB_ICONINFORMATION "$(DataKept)" /SD IDOK
SectionEnd
