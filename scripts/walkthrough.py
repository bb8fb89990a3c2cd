#!/usr/bin/env python3
"""Walk the whole manual against a served API, printing each step and the final timeline.

    python3 scripts/walkthrough.py --admin-login admin --admin-password '...' [--url http://127.0.0.1:8000/graphql]

Standard library only. Every run registers new, uniquely named accounts (an applicant and
three units: 基层单位 → 主管部门 → the committee's accepting unit), so it can be run again
and again against the same server. The admin (the province's, 370000) approves the units'
permissions, opens the year and creates the committee.

单位公示 runs for real working days: against a server with the default minimum (5) the walk
shows the publicity, an objection and its dismissal, then stops, since nothing can be
reported before the publicity ends. A server started with ZHICHENG_UNIT_PUBLICITY_WORKING_DAYS=0
(a demonstration setting: the publicity ends at once) is walked to 受理.

With `--experts N` it goes on through the committee stage (评审): the committee's office,
N experts in its pool, a review session, the draw, attendance, everyone's secret votes and
the close, printing the tally. N must be odd and at least the server's panel minimum
(ZHICHENG_REVIEW_PANEL_SIZE_SENIOR, 25 by default; a demonstration server may set it lower).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid

PASSWORD = "Walk-Through9"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ERRORS = "errors { code field message }"


def uscc(first17: str) -> str:
    """GB 32100 check character."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + USCC_CHARS[(31 - total % 31) % 31]


def resident_id(first17: str) -> str:
    """GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


class Client:
    def __init__(self, url: str) -> None:
        self.url = url

    def _post(self, body: bytes, headers: dict) -> dict:
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                result = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            result = json.loads(exc.read() or b"{}")
        if result.get("errors"):
            sys.exit(f"GraphQL error: {result['errors']}")
        return result["data"]

    def __call__(self, query: str, variables: dict | None = None, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self._post(json.dumps({"query": query, "variables": variables or {}}).encode(), headers)

    def upload(self, query: str, variables: dict, token: str, name: str, content: bytes) -> dict:
        """GraphQL multipart request spec: operations, map, then the file."""
        boundary = uuid.uuid4().hex
        operations = json.dumps({"query": query, "variables": {**variables, "file": None}})
        parts = [("operations", None, operations.encode()), ("map", None, b'{"0": ["variables.file"]}'),
                 ("0", name, content)]
        body = b""
        for field, filename, data in parts:
            disposition = f'form-data; name="{field}"' + (f'; filename="{filename}"' if filename else "")
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
            if filename:
                body += b"Content-Type: application/pdf\r\n"
            body += b"\r\n" + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {token}",
                   "GraphQL-Require-Preflight": "1"}
        return self._post(body, headers)


def step(title: str) -> None:
    print(f"\n== {title}")


def ok(payload: dict, what: str) -> dict:
    if payload.get("errors"):
        sys.exit(f"{what} failed: {payload['errors']}")
    print(f"   ✓ {what}")
    return payload


def refused(payload: dict, code: str, what: str) -> None:
    got = [e["code"] for e in payload.get("errors", [])]
    if code not in got:
        sys.exit(f"{what}: expected {code}, got {got}")
    print(f"   ✓ refused as expected ({code}): {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--admin-login", required=True)
    parser.add_argument("--admin-password", required=True)
    parser.add_argument("--year", type=int, default=time.localtime().tm_year)
    parser.add_argument("--experts", type=int, default=0,
                        help="go on to the committee stage with this many experts (odd, at least the server's "
                             "ZHICHENG_REVIEW_PANEL_SIZE_SENIOR); 0: stop at 受理")
    args = parser.parse_args()
    api = Client(args.url)
    tag = str(int(time.time() * 1000))[-9:]

    def login(name: str, password: str = PASSWORD) -> str:
        payload = api("mutation($l: String!, $p: String!) { login(login: $l, password: $p) { token %s } }" % ERRORS,
                      {"l": name, "p": password})["login"]
        return ok(payload, f"login {name}")["token"]

    step("职称管理机构 logs in and opens the year")
    admin = login(args.admin_login, args.admin_password)
    opened = api("mutation($y: Int!) { openDeclarationYear(year: $y) { %s } }" % ERRORS, {"y": args.year}, admin)
    print("   ✓ year", args.year, "open", opened["openDeclarationYear"]["errors"] or "")

    step("2.1 单位注册 and 2.2 权限申请 (save → submit → admin approves), three units")
    units = {}
    for i, (role, name) in enumerate([("base", "济南重型机械厂"), ("dept", "济南市工业和信息化局"),
                                      ("centre", "山东省工程技术职称评审受理中心")]):
        name = f"{name}{tag}"
        code = uscc(f"91370100MA{tag[-6:]}{i}")
        login_name = f"wt{role}{tag}"
        payload = api("mutation($i: RegisterUnitInput!) { registerUnit(input: $i) { unit { id } %s } }" % ERRORS,
                      {"i": {"name": name, "uscc": code, "regionCode": "370100", "contactName": "李四",
                             "contactMobile": "13900139000", "loginName": login_name, "password": PASSWORD}})
        unit_id = ok(payload["registerUnit"], f"register {name}")["unit"]["id"]
        token = login(login_name)
        details = {"name": name, "uscc": code, "regionCode": "370100", "unitType": "ENTERPRISE",
                   "supervisorName": "济南市工业和信息化局", "address": "济南市历下区经十路1号",
                   "contactName": "李四", "contactPhone": "0531-88888888"}
        saved = api("mutation($i: PermissionApplicationInput!) { savePermissionApplication(input: $i) "
                    "{ application { id } %s } }" % ERRORS, {"i": details}, token)["savePermissionApplication"]
        app_id = ok(saved, "save permission application")["application"]["id"]
        ok(api("mutation { submitPermissionApplication { %s } }" % ERRORS, token=token)["submitPermissionApplication"],
           "submit")
        ok(api("mutation($id: ID!) { reviewPermissionApplication(id: $id, decision: APPROVE) { %s } }" % ERRORS,
               {"id": app_id}, admin)["reviewPermissionApplication"], "admin approves the permission")
        units[role] = {"id": unit_id, "token": token, "name": name}

    step("2.5 路径申请 for 工程技术人员 / 副高级: 基层单位 → 主管部门 → 受理单位")
    for source, target in (("base", "dept"), ("dept", "centre")):
        applied = api("mutation($to: ID!) { applyReportingPath(seriesCode: \"ENGINEERING\", level: ASSOCIATE_SENIOR, "
                      "toUnitId: $to) { path { id } %s } }" % ERRORS, {"to": units[target]["id"]},
                      units[source]["token"])["applyReportingPath"]
        path_id = ok(applied, f"{source} applies for a path to {target}")["path"]["id"]
        ok(api("mutation($id: ID!) { reviewReportingPath(id: $id, decision: APPROVE) { %s } }" % ERRORS,
               {"id": path_id}, units[target]["token"])["reviewReportingPath"], f"{target} approves it")
    committee = api("mutation($i: CommitteeInput!) { createCommittee(input: $i) { committee { id name } %s } }"
                    % ERRORS,
                    {"i": {"name": f"山东省工程技术高级职称评审委员会{tag}", "seriesCode": "ENGINEERING",
                           "levels": ["SENIOR", "ASSOCIATE_SENIOR"], "regionCode": "370000",
                           "acceptingUnitId": units["centre"]["id"]}}, admin)["createCommittee"]
    ok(committee, "admin creates the committee with the accepting unit")

    step("1.1 个人注册, 承诺书, 1.2 职称申报")
    login_name = f"wtperson{tag}"
    n = int(tag)
    id_number = resident_id(f"3701021985{n % 12 + 1:02d}{n // 12 % 28 + 1:02d}{n // 336 % 1000:03d}")
    person = api("mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { %s } }" % ERRORS,
                 {"i": {"loginName": login_name, "idNumber": id_number, "name": "王建国", "mobile": "13800138000",
                        "password": PASSWORD}})["registerPerson"]
    ok(person, f"register applicant {login_name}")
    applicant = login(login_name)
    ok(api("mutation { acceptCommitment(version: 1) { %s } }" % ERRORS, token=applicant)["acceptCommitment"],
       "我同意 (commitment letter)")
    fields = {"year": args.year, "seriesCode": "ENGINEERING", "level": "ASSOCIATE_SENIOR",
              "titleCode": "ENGINEERING.SENIOR_ENGINEER", "specialtyCode": "ENGINEERING.CIVIL", "method": "NORMAL",
              "workUnitId": units["base"]["id"], "educationLevel": "BACHELOR", "currentTitle": "工程师",
              "currentTitleObtainedOn": "2019-12-20", "yearsInSpecialty": 12, "phone": "0531-88888888"}
    created = api("mutation($i: DeclarationInput!) { createDeclaration(input: $i) { declaration { id } %s } }"
                  % ERRORS, {"i": fields}, applicant)["createDeclaration"]
    d = ok(created, "save the declaration (draft)")["declaration"]["id"]
    record = {"qualification": {"seriesCode": "ENGINEERING", "level": "INTERMEDIATE",
                                "titleCode": "ENGINEERING.ENGINEER", "obtainedOn": "2019-12-20",
                                "certificateNumber": "鲁工中字2019001", "issuingAuthority": "济南市人力资源和社会保障局"}}
    ok(api("mutation($d: ID!, $i: DeclarationRecordInput!) { addRecord(declarationId: $d, input: $i) { %s } }" % ERRORS,
           {"d": d, "i": record}, applicant)["addRecord"], "add 现专业技术资格")
    uploaded = api.upload("mutation($d: ID!, $file: Upload!) { uploadMaterial(declarationId: $d, file: $file) "
                          "{ material { id } %s } }" % ERRORS, {"d": d}, applicant, "职称证书.pdf", PDF)
    ok(uploaded["uploadMaterial"], "upload a proof material (PDF)")
    confirm = "mutation($id: ID!) { confirmDeclaration(id: $id) { declaration { status } %s } }" % ERRORS
    ok(api(confirm, {"id": d}, applicant)["confirmDeclaration"], "确认申报")

    review = ("mutation($id: ID!, $d: ReviewDecision!, $r: String) { reviewDeclaration(id: $id, decision: $d, "
              "reason: $r) { declaration { status } %s } }" % ERRORS)
    report = ("mutation($ids: [ID!]!) { reportDeclarations(ids: $ids) { reportedCount "
              "errors { declarationId code message } } }")

    step("2.3 数据审核 at the 基层单位: 不通过 with a reason, the applicant edits and confirms again")
    queue = api("{ reviewQueue(filter: {state: PENDING}) { totalCount } }", token=units["base"]["token"])
    print("   ✓ review queue of the 基层单位:", queue["reviewQueue"]["totalCount"], "waiting")
    refused(api(review, {"id": d, "d": "REJECT"}, units["base"]["token"])["reviewDeclaration"], "REASON_REQUIRED",
            "reject without a reason")
    ok(api(review, {"id": d, "d": "REJECT", "r": "请补充继续教育证明"}, units["base"]["token"])["reviewDeclaration"],
       "不通过: 请补充继续教育证明")
    ok(api("mutation($id: ID!, $i: DeclarationInput!) { updateDeclaration(id: $id, input: $i) { %s } }" % ERRORS,
           {"id": d, "i": {**fields, "yearsInSpecialty": 13}}, applicant)["updateDeclaration"], "applicant edits")
    ok(api(confirm, {"id": d}, applicant)["confirmDeclaration"], "确认申报 again")
    ok(api(review, {"id": d, "d": "APPROVE"}, units["base"]["token"])["reviewDeclaration"], "基层单位 通过")

    step("单位公示 at the 基层单位 (the work unit): the list, an objection, its resolution")
    refused(api(report, {"ids": [d]}, units["base"]["token"])["reportDeclarations"], "PUBLICITY_NOT_ENDED",
            "report before 单位公示")
    started = api("mutation($ids: [ID!]!) { startUnitPublicity(declarationIds: $ids) { publicity { workingDays endsOn } "
                  "errors { declarationId code message } } }", {"ids": [d]}, units["base"]["token"])["startUnitPublicity"]
    publicity = ok(started, "startUnitPublicity")["publicity"]
    print(f"   ✓ {publicity['workingDays']} working days, until {publicity['endsOn']} (inclusive)")
    listed = api("{ unitPublicity { totalCount nodes { applicantName idNumber titleName endsOn ended } } }",
                 token=applicant)["unitPublicity"]
    print("   ✓ the applicant, a person of the unit, sees the list:", listed["nodes"])
    objection = api("mutation($d: ID!, $r: String!) { raiseObjection(declarationId: $d, reason: $r) { %s } }" % ERRORS,
                    {"d": d, "r": "继续教育学时存疑"}, units["base"]["token"])["raiseObjection"]
    if publicity["workingDays"] == 0:
        refused(objection, "NOT_IN_PUBLICITY", "an objection after the publicity ended (0 working days here)")
    else:
        ok(objection, "the unit raises an objection")
        refused(api(report, {"ids": [d]}, units["base"]["token"])["reportDeclarations"], "PUBLICITY_NOT_ENDED",
                f"report before the publicity ends ({publicity['endsOn']})")
        open_ = api("{ publicityObjections { nodes { id reason raisedByName } } }",
                    token=units["base"]["token"])["publicityObjections"]["nodes"]
        ok(api("mutation($o: ID!, $r: String!) { resolveObjection(objectionId: $o, upheld: false, reason: $r) { %s } }"
               % ERRORS, {"o": open_[0]["id"], "r": "已核实学时证明"}, units["base"]["token"])["resolveObjection"],
           "the unit dismisses it: 已核实学时证明")
        print(f"\nThe publicity runs until {publicity['endsOn']}: nothing can be reported before. For the whole route "
              "in one run, serve with ZHICHENG_UNIT_PUBLICITY_WORKING_DAYS=0 (demonstration only).")
        print_timeline(api, d, applicant)
        return

    step("2.4 数据上报 up the route, review at the 主管部门, 受理 at the accepting unit")
    sent = api(report, {"ids": [d]}, units["base"]["token"])["reportDeclarations"]
    print("   ✓ 基层单位 reports:", sent["reportedCount"], "sent")
    refused(api(report, {"ids": [d]}, units["base"]["token"])["reportDeclarations"], "INVALID_STATE",
            "report the same declaration twice")
    ok(api(review, {"id": d, "d": "APPROVE"}, units["dept"]["token"])["reviewDeclaration"], "主管部门 通过")
    sent = api(report, {"ids": [d]}, units["dept"]["token"])["reportDeclarations"]
    print("   ✓ 主管部门 reports:", sent["reportedCount"], "sent")
    accepted = api(review, {"id": d, "d": "APPROVE"}, units["centre"]["token"])["reviewDeclaration"]
    print("   ✓ 受理单位 通过 → status", ok(accepted, "受理")["declaration"]["status"])

    if args.experts:
        committee_stage(api, login, admin, committee["committee"]["id"], units, d, tag, args)
    final = print_timeline(api, d, applicant)
    committee_name = (final["committee"] or {}).get("name", "")
    print(f"\nDone: {final['status']} {committee_name}")


def committee_stage(api: Client, login, admin: str, committee_id: str, units: dict, d: str, tag: str,
                    args: argparse.Namespace) -> None:
    """评审 (issue 14): the committee's office, its expert pool, a session, the draw, attendance,
    the secret ballot and its close. `--experts` must be at least the server's panel minimum
    (ZHICHENG_REVIEW_PANEL_SIZE_SENIOR, 25 by default) and odd."""
    step("评审 1 受理审查: the title office creates the committee's office; the office checks the declaration")
    created = api("mutation($i: CreateCommitteeOfficeInput!) { createCommitteeOffice(input: $i) { "
                  "office { loginName } initialPassword %s } }" % ERRORS,
                  {"i": {"committeeId": committee_id, "loginName": f"wtoffice{tag}", "name": "评审委员会办公室"}},
                  admin)["createCommitteeOffice"]
    first = login(ok(created, "createCommitteeOffice (one-time password)")["office"]["loginName"],
                  created["initialPassword"])
    ok(api("mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { %s } }"
           % ERRORS, {"c": created["initialPassword"], "n": PASSWORD}, first)["changePassword"],
       "the office replaces it at its first login")
    office = login(f"wtoffice{tag}")
    ok(api("mutation($id: ID!) { checkDeclaration(id: $id) { %s } }" % ERRORS, {"id": d}, office)["checkDeclaration"],
       "checkDeclaration → CHECKED")

    step(f"评审 2 专家库: {args.experts} registered persons join the pool (3-year term)")
    today = time.strftime("%Y-%m-%d")
    end = f"{int(today[:4]) + 2}-12-31"
    experts = []
    for i in range(args.experts):
        n = int(tag) + i
        id_number = resident_id(f"3701021970{n % 12 + 1:02d}{n // 12 % 28 + 1:02d}{n // 336 % 1000:03d}")
        login_name, name = f"wtexpert{tag}x{i}", f"专家{i + 1:02d}"
        ok(api("mutation($i: RegisterPersonInput!) { registerPerson(input: $i) { %s } }" % ERRORS,
               {"i": {"loginName": login_name, "idNumber": id_number, "name": name, "mobile": "13800138000",
                      "password": PASSWORD}})["registerPerson"], f"register {name}")
        ok(api("mutation($i: ExpertInput!) { addExpert(input: $i) { %s } }" % ERRORS,
               {"i": {"idNumber": id_number, "name": name, "specialtyCodes": ["ENGINEERING.CIVIL"],
                      "heldLevel": "SENIOR", "unitId": units["dept"]["id"], "termStart": today, "termEnd": end}},
               office)["addExpert"], f"addExpert {name}")
        experts.append(login_name)

    step("评审 3 评审会议 and 抽取专家")
    session = ok(api("mutation($i: ReviewSessionInput!) { createReviewSession(input: $i) { session { id } %s } }"
                     % ERRORS, {"i": {"name": f"{args.year}年度评审会议", "year": args.year,
                                      "level": "ASSOCIATE_SENIOR", "meetingOn": today, "panelSize": args.experts}},
                     office)["createReviewSession"], "createReviewSession (the CHECKED declaration → IN_REVIEW)")
    sid = session["session"]["id"]
    drawn = ok(api("mutation($id: ID!) { drawPanel(sessionId: $id) { session { drawSeed panel { id } } %s } }"
                   % ERRORS, {"id": sid}, office)["drawPanel"], "drawPanel")
    print("   seed", drawn["session"]["drawSeed"], "(on the session and in the audit log)")
    panel = [m["id"] for m in drawn["session"]["panel"]]

    step("评审 4 签到 and 无记名投票")
    refused(api("mutation($id: ID!) { closeBallot(sessionId: $id) { %s } }" % ERRORS, {"id": sid},
                office)["closeBallot"], "BALLOT_NOT_OPEN", "close before attendance")
    ok(api("mutation($id: ID!, $p: [ID!]!) { recordAttendance(sessionId: $id, presentMemberIds: $p) { %s } }"
           % ERRORS, {"id": sid, "p": panel}, office)["recordAttendance"], f"all {len(panel)} present: the ballot opens")
    candidates = api("query($id: ID!) { node(id: $id) { ... on ReviewSession { candidates { nodes { id } } } } }",
                     {"id": sid}, login(experts[0]))["node"]["candidates"]["nodes"]
    cast = "mutation($id: ID!, $v: [VoteInput!]!) { castVotes(sessionId: $id, votes: $v) { cast %s } }" % ERRORS
    for i, expert in enumerate(experts):
        choice = "AGREE" if i % 5 else "ABSTAIN"
        ok(api(cast, {"id": sid, "v": [{"candidateId": c["id"], "choice": choice} for c in candidates]},
               login(expert))["castVotes"], f"expert {i + 1} votes")

    step("评审 5 闭票计票")
    ok(api("mutation($id: ID!) { closeBallot(sessionId: $id) { %s } }" % ERRORS, {"id": sid}, office)["closeBallot"],
       "closeBallot")
    tally = api("query($id: ID!) { node(id: $id) { ... on ReviewSession { candidates { nodes { applicantName "
                "present agree disagree abstain passed } } } } }", {"id": sid}, office)["node"]["candidates"]["nodes"]
    for t in tally:
        print(f"   {t['applicantName']}: present {t['present']}, agree {t['agree']}, disagree {t['disagree']}, "
              f"abstain {t['abstain']} → {'passed' if t['passed'] else 'not passed'}")


def print_timeline(api: Client, d: str, applicant: str) -> dict:
    step("状态跟踪 (the applicant's timeline)")
    final = api("query($id: ID!) { declaration(id: $id) { status committee { name } "
                "timeline { at action toStatus actorName reason unit { name } } } }", {"id": d}, applicant)
    for e in final["declaration"]["timeline"]:
        unit = (e["unit"] or {}).get("name") or ""
        print(f"   {e['at'][:19]}  {e['action']:<17} → {e['toStatus']:<15} {e['actorName']}  {unit}  {e['reason'] or ''}")
    return final["declaration"]


if __name__ == "__main__":
    main()
