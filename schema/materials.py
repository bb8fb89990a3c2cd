"""GraphQL surface of proof materials (上传证明材料): the type and its two mutations."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.file_uploads import Upload

from models import Material as MaterialModel
from resolvers import materials
from schema.context import Info
from schema.errors import UserError
from schema.ids import encode_id
from schema.mutation import Actor, GlobalIdArg, MutationSpec


@strawberry.type(description="证明材料（PDF、JPG 或 PNG），按内容哈希存储")
class Material:
    id: strawberry.ID = strawberry.field(description="全局 ID")
    record_id: strawberry.ID | None = strawberry.field(description="所属记录；直接挂在申报上时为空")
    file_name: str = strawberry.field(description="原文件名（仅用于显示）")
    content_type: str = strawberry.field(description="按文件内容识别的类型")
    size: int = strawberry.field(description="字节数")
    sha256: str = strawberry.field(description="内容的 SHA-256（十六进制）")
    uploaded_at: dt.datetime
    download_url: str = strawberry.field(
        description="下载地址（GET，带 Authorization: Bearer 令牌）；单位和管理机构的下载会被记录"
    )

    @classmethod
    def of(cls, m: MaterialModel) -> "Material":
        return cls(
            id=strawberry.ID(encode_id("Material", m.id)),
            record_id=strawberry.ID(encode_id("Record", m.record_id)) if m.record_id else None,
            file_name=m.file_name, content_type=m.content_type, size=m.size, sha256=m.sha256,
            uploaded_at=m.uploaded_at, download_url=f"/materials/{m.id}",
        )


@strawberry.type
class MaterialPayload:
    material: Material | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class DeleteMaterialPayload:
    deleted_material_id: strawberry.ID | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


_UPLOAD = MutationSpec(MaterialPayload, actor=Actor.PERSON, ids={
    "declaration_id": GlobalIdArg("Declaration", "declarationId"), "record_id": GlobalIdArg("Record", "recordId")})
_DELETE = MutationSpec(DeleteMaterialPayload, actor=Actor.PERSON, ids={"material_id": GlobalIdArg("Material", "id")})


@strawberry.type
class MaterialMutation:
    @strawberry.mutation(
        description="上传证明材料（GraphQL multipart 请求，须带 GraphQL-Require-Preflight 头）："
        "挂在申报上，或给出 recordId 挂在某条记录上。每个文件不超过20 MB，只接受 PDF、JPG、PNG"
    )
    async def upload_material(
        self, info: Info, declaration_id: strawberry.ID, file: Upload, record_id: strawberry.ID | None = None
    ) -> MaterialPayload:
        return await _UPLOAD.run(info, materials.upload_material, lambda m: MaterialPayload(material=Material.of(m)),
                                 declaration_id=declaration_id, record_id=record_id, upload=file)

    @strawberry.mutation(description="删除证明材料（确认申报前）")
    async def delete_material(self, info: Info, id: strawberry.ID) -> DeleteMaterialPayload:
        return await _DELETE.run(info, materials.delete_material,
                                 lambda _: DeleteMaterialPayload(deleted_material_id=id), material_id=id)
