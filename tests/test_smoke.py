async def test_register_and_login(api):
    person = await api.register_person()
    token = await api.login(person["loginName"])
    data = await api("{ me { loginName kind } }", token=token)
    assert data["me"] == {"loginName": person["loginName"], "kind": "PERSON"}
