"""GraphQL surface of the results stage (评审结果): public certificate verification."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers import certificates
from rules.certificates import CertificateView
from rules.certificates import VerificationStatus as DomainVerificationStatus
from schema.context import Info
from schema.enums import gql_enum

if TYPE_CHECKING:  # type checkers see the domain enum: schema.enums says why
    VerificationStatus = DomainVerificationStatus
else:
    VerificationStatus = gql_enum(
        DomainVerificationStatus,
        {"VALID": "证书有效", "REVOKED": "证书已撤销（职称已被撤销，不再有效）",
         "UNKNOWN": "查无此证书：证书编号不存在，或与持证人姓名不符"},
        name="VerificationStatus", description="电子职称证书查验结果",
    )


@strawberry.type(description="电子职称证书上载明的内容（身份证号脱敏），查验和持证人查看时返回")
class CertificateContent:
    number: str = strawberry.field(description="证书编号（19位：地区代码、年度、级别、序号、校验码）")
    holder_name: str = strawberry.field(description="持证人姓名")
    id_number: str = strawberry.field(description="持证人居民身份证号（脱敏）")
    series_name: str = strawberry.field(description="职称系列")
    level_name: str = strawberry.field(description="资格级别")
    title_name: str = strawberry.field(description="资格名称（职称）")
    specialty_name: str = strawberry.field(description="专业")
    year: int = strawberry.field(description="评审年度")
    committee_name: str = strawberry.field(description="评审机构（评审委员会）")
    issued_by: str = strawberry.field(description="发证机关")
    issued_on: dt.date = strawberry.field(description="批准时间（北京时间日期）")

    @classmethod
    def of(cls, view: CertificateView) -> CertificateContent:
        return cls(number=view.number, holder_name=view.holder_name, id_number=view.masked_id_number,
                   series_name=view.series_name, level_name=view.level_name, title_name=view.title_name,
                   specialty_name=view.specialty_name, year=view.year, committee_name=view.committee_name,
                   issued_by=view.issued_by, issued_on=view.issued_on)


@strawberry.type(description="证书查验结果：状态，以及找到证书时证书上载明的内容（不多于证书本身）")
class CertificateVerification:
    status: VerificationStatus = strawberry.field(description="有效、已撤销或查无此证书")
    certificate: CertificateContent | None = strawberry.field(
        description="证书内容；查无此证书时为空（不说明是编号还是姓名不符）")


@strawberry.type
class ResultsQuery:
    @strawberry.field(description="电子职称证书查验（公开，无需登录）：输入证书编号和持证人姓名，"
                                  "返回有效、已撤销或查无此证书。同一来源地址查无结果的次数过多时须等待后再查"
                                  "（顶层错误 RATE_LIMITED，附 retryAfter 秒数）")
    async def verify_certificate(
        self, info: Info,
        number: Annotated[str, strawberry.argument(description="证书编号（可含空格或连字符）")],
        holder_name: Annotated[str, strawberry.argument(description="持证人姓名")],
    ) -> CertificateVerification:
        async with info.context.own_transaction() as env:
            found = await certificates.verify_certificate(env, number=number, holder_name=holder_name)
        content = CertificateContent.of(found.certificate) if found.certificate else None
        return CertificateVerification(status=found.status, certificate=content)
